import { describe, it, expect, afterAll } from '@jest/globals';
import { decryptJson, ed25519Verify, generateEd25519, generateX25519, type GeneralJWE } from '@zizhu/crypto';
import { keyIdOf, parseSignedTransaction, txPreimage } from '@zizhu/chain';
import type { SealSignJob } from '@zizhu/chain';
import { niceOfThread, threadIds, threadsInProc } from '../../../../test/support/threads.js';
import { SealSignError, SealSignPool } from './seal-sign-pool.js';

// The worker runs the built packages (npm test builds first).
const orgs = ['issuer-a', 'platform-a', 'regulator'].map((kid) => ({ kid, ...generateX25519() }));
const recipients = orgs.map((o) => ({ kid: o.kid, publicKey: o.publicKey }));
const key = generateEd25519();

const job = (n: number, batch?: string): SealSignJob => ({
  fields: { channel: 'evidence', contract: 'evidence', method: 'anchor', args: { digest: { alg: 'sha256', value: String(n).padStart(64, '0') }, holder: 'platform-a' }, ts: 1763712000000 + n },
  seal: { field: 'sealed', plaintext: { title: `invoice ${n}`, amount: '12.50', note: 'é ✓' }, recipients, aad: `record-${n}` },
  keyName: 'user/u1',
  seed: key.privateKey,
  ...(batch ? { batch } : {}),
});

const epkOf = (jwe: GeneralJWE, kid: string): string => (jwe.recipients.find((r) => r.header?.kid === kid)!.header as { epk: { x: string } }).epk.x;

describe.each([
  ['one worker thread', 1],
  ['inline (0 workers)', 0],
])('SealSignPool, %s', (_name, workers) => {
  const pool = new SealSignPool(workers);
  afterAll(() => pool.close());

  it('seals the metadata into the named argument, readable by each recipient only with the aad, and signs the preimage it answers', async () => {
    const out = await pool.run(job(1));
    const { envelope } = out.signed;
    expect(envelope.signer).toBe(keyIdOf(Buffer.from(out.signed.publicKey, 'base64')));
    expect(envelope.args.digest).toEqual(job(1).fields.args.digest);
    expect(out.preimage.equals(txPreimage(envelope))).toBe(true);
    expect(ed25519Verify(Buffer.from(out.signed.publicKey, 'base64'), out.preimage, Buffer.from(out.signed.signature, 'base64'))).toBe(true);
    // What the engine stores is what was signed.
    expect(parseSignedTransaction(out.signed, out.preimage).hash).toBe(parseSignedTransaction(JSON.parse(JSON.stringify(out.signed))).hash);
    const sealed = envelope.args.sealed as unknown as GeneralJWE;
    for (const o of orgs) expect(await decryptJson(sealed, { kid: o.kid, privateKey: o.privateKey }, { aad: 'record-1' })).toEqual(job(1).seal.plaintext);
    await expect(decryptJson(sealed, { kid: 'issuer-a', privateKey: orgs[0].privateKey }, { aad: 'record-2' })).rejects.toThrow();
    await expect(decryptJson(sealed, { kid: 'issuer-a', privateKey: generateX25519().privateKey })).rejects.toThrow();
  });

  it('JWEs of one batch share an ephemeral key per recipient until the batch is closed; others do not', async () => {
    const batch = pool.openBatch();
    const [a, b, alone] = await Promise.all([pool.run(job(2, batch)), pool.run(job(3, batch)), pool.run(job(4))]);
    const sealedOf = (o: typeof a) => o.signed.envelope.args.sealed as unknown as GeneralJWE;
    for (const o of orgs) {
      expect(epkOf(sealedOf(a), o.kid)).toBe(epkOf(sealedOf(b), o.kid));
      expect(epkOf(sealedOf(alone), o.kid)).not.toBe(epkOf(sealedOf(a), o.kid));
    }
    expect(epkOf(sealedOf(a), 'issuer-a')).not.toBe(epkOf(sealedOf(a), 'platform-a'));
    pool.closeBatch(batch);
    const after = await pool.run(job(5, batch));
    expect(epkOf(after.signed.envelope.args.sealed as unknown as GeneralJWE, 'issuer-a')).not.toBe(epkOf(sealedOf(a), 'issuer-a'));
    expect(await decryptJson(sealedOf(b), { kid: 'regulator', privateKey: orgs[2].privateKey }, { aad: 'record-3' })).toEqual(job(3).seal.plaintext);
  });

  it('refuses a call that has no canonical form (a lone surrogate) with the reason, and goes on with the next', async () => {
    const bad = job(6);
    bad.fields.args = { ...bad.fields.args, holder: 'platform-\ud800' };
    const results = await Promise.allSettled([pool.run(bad), pool.run(job(7))]);
    expect(results[0].status).toBe('rejected');
    const e = (results[0] as PromiseRejectedResult).reason as Error;
    expect(e).toBeInstanceOf(SealSignError);
    expect(e.message).toMatch(/surrogate/i);
    expect(results[1].status).toBe('fulfilled');
  });
});

describe('SealSignPool lifecycle', () => {
  it('a worker that dies fails the jobs it held (not the pool\'s callers forever) and is replaced', async () => {
    const pool = new SealSignPool(1);
    try {
      await pool.run(job(9));
      // A job that keeps the worker busy for a while (tens of MB to seal and sign), killed meanwhile.
      const slow = job(10);
      slow.seal = { ...slow.seal, plaintext: 'x'.repeat(30 * 1024 * 1024) };
      const held = pool.run(slow);
      await new Promise((r) => setTimeout(r, 20));
      await (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0].worker.terminate();
      await expect(held).rejects.toThrow(/a sealing worker failed/);
      await expect(held).rejects.not.toBeInstanceOf(SealSignError);
      const after = await pool.run(job(11));
      expect(after.preimage.equals(txPreimage(after.signed.envelope))).toBe(true);
    } finally {
      await pool.close();
    }
  });


  it('refuses work once closed', async () => {
    const pool = new SealSignPool(1);
    await pool.close();
    await expect(pool.run(job(8))).rejects.toThrow(/closed/);
  });
});

(threadsInProc ? describe : describe.skip)('SealSignPool workers at a lower priority (Linux)', () => {
  it('its worker lowers itself to the nice value given; the main thread keeps its own', async () => {
    const main = niceOfThread(process.pid)!;
    const before = new Set(threadIds());
    const pool = new SealSignPool(1, 8);
    try {
      await pool.run(job(20));
      const started = threadIds().filter((t) => !before.has(t));
      // The worker thread (and whatever helper threads V8 started with it): the worker is among them.
      expect(started.map(niceOfThread)).toContain(Math.max(8, main));
      expect(niceOfThread(process.pid)).toBe(main);
    } finally {
      await pool.close();
    }
  });
});
