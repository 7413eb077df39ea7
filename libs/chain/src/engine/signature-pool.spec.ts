import { describe, it, expect, afterAll } from '@jest/globals';
import { generateEd25519, Ed25519Signer } from '@zizhu/crypto';
import { SignatureBatch, SignaturePool } from './signature-pool.js';

describe('SignaturePool', () => {
  const pool = new SignaturePool(2, 16);
  afterAll(() => pool.close());

  it('verifies good and refuses bad signatures across worker batches, in order', async () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const items = Array.from({ length: 200 }, (_, i) => {
      const msg = Buffer.from(`message ${i}`);
      const sig = signer.sign(msg);
      if (i % 7 === 0) sig[5] ^= 1;
      return { msg, sig, good: i % 7 !== 0 };
    });
    const results = await Promise.all(items.map((it) => pool.verify(signer.publicKey, it.msg, it.sig)));
    expect(results).toEqual(items.map((it) => it.good));
  });

  it('verifies inline with no workers', async () => {
    const inline = new SignaturePool(0);
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const msg = Buffer.from('x');
    expect(await inline.verify(signer.publicKey, msg, signer.sign(msg))).toBe(true);
    expect(await inline.verify(signer.publicKey, Buffer.from('y'), signer.sign(msg))).toBe(false);
  });

  it('verifyMany answers a batch with one array, malformed sizes refused, larger than one worker batch', async () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const other = new Ed25519Signer(generateEd25519().privateKey);
    const n = 100;
    const msgs = Array.from({ length: n }, (_, i) => Buffer.from(`block message ${i} `.repeat(i % 5)));
    const sigs = msgs.map((m) => Buffer.from(signer.sign(m)));
    const pubs = msgs.map(() => Buffer.from(signer.publicKey));
    sigs[3][0] ^= 0x80; // tampered
    pubs[10] = Buffer.from(other.publicKey); // someone else's key
    sigs[20] = sigs[20].subarray(0, 63); // too short
    pubs[30] = pubs[30].subarray(0, 31);
    const bad = new Set([3, 10, 20, 30]);
    for (const p of [pool, new SignaturePool(0)]) {
      const results = await p.verifyMany(pubs, msgs, sigs);
      expect([...results]).toEqual(msgs.map((_, i) => (bad.has(i) ? 0 : 1)));
    }
    expect([...(await pool.verifyMany([], [], []))]).toEqual([]);
    await expect(pool.verifyMany(pubs, msgs.slice(1), sigs)).rejects.toThrow('as many');
  });
});

describe('SignatureBatch', () => {
  const signer = new Ed25519Signer(generateEd25519().privateKey);
  const other = new Ed25519Signer(generateEd25519().privateKey);
  const prefix = 'zizhu:tx:v1\n';
  // Texts of varied length, some not ASCII; every 9th signed by someone else, every 13th tampered.
  const items = Array.from({ length: 700 }, (_, i) => {
    const text = `{"n":${i},"memo":"${'链'.repeat(i % 11)}${'x'.repeat(i % 300)}"}`;
    const bytes = Buffer.from(prefix + text, 'utf8');
    const sig = Buffer.from((i % 9 === 4 ? other : signer).sign(bytes));
    if (i % 13 === 7) sig[10] ^= 1;
    return { text, bytes, sig: sig.toString('base64'), good: i % 9 !== 4 && i % 13 !== 7 };
  });
  const key = Buffer.from(signer.publicKey).toString('base64');

  it.each([
    ['two workers, small chunks', 2, 50],
    ['one worker', 1, 256],
    ['inline', 0, 64],
  ])('%s: answers in order, each message packed as its bytes', async (_name, workers, perChunk) => {
    const pool = new SignaturePool(workers);
    try {
      const batch = new SignatureBatch(pool, perChunk, 4096);
      for (const it of items) expect(batch.add(key, it.sig, prefix, it.text).equals(it.bytes)).toBe(true);
      expect(batch.size).toBe(items.length);
      expect([...(await batch.verify())]).toEqual(items.map((it) => (it.good ? 1 : 0)));
      expect([...(await pool.batch().verify())]).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('refuses a key or signature of the wrong size', async () => {
    const pool = new SignaturePool(0);
    const batch = pool.batch();
    expect(() => batch.add(key.slice(0, 40), items[0].sig, prefix, items[0].text)).toThrow(RangeError);
    expect(() => batch.add(key, items[0].sig.slice(0, 80), prefix, items[0].text)).toThrow(RangeError);
  });
});

describe('SignaturePool after a worker crashes', () => {
  it('sends nothing more to the crashed worker, and verifies inline once none is left', async () => {
    const pool = new SignaturePool(2);
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const key = Buffer.from(signer.publicKey).toString('base64');
    const check = async () => {
      const msgs = Array.from({ length: 40 }, (_, i) => Buffer.from(`after crash ${i}`));
      const sigs = msgs.map((m, i) => Buffer.from(signer.sign(i === 3 ? Buffer.from('other') : m)));
      expect([...(await pool.verifyMany(msgs.map(() => signer.publicKey), msgs, sigs))]).toEqual(msgs.map((_, i) => (i === 3 ? 0 : 1)));
      const batch = new SignatureBatch(pool, 8);
      for (let i = 0; i < 30; i++) batch.add(key, sigs[i].toString('base64'), '', `after crash ${i}`);
      expect([...(await batch.verify())]).toEqual(Array.from({ length: 30 }, (_, i) => (i === 3 ? 0 : 1)));
    };
    // A message the worker cannot read makes it throw, which ends its thread.
    const workers = (pool as unknown as { workers: import('node:worker_threads').Worker[] }).workers;
    const crash = (w: import('node:worker_threads').Worker) =>
      new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage({ id: -1, count: 1, packed: new Uint8Array(1).buffer });
      });
    try {
      await crash(workers[0]);
      await check();
      await crash(workers[1]);
      await check();
    } finally {
      await pool.close();
    }
  });
});
