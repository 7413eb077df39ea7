import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ContentStoreError } from './content-store.js';
import { LocalContentStore } from './local-content-store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A stream of `chunks` chunks of 64 KiB. */
function chunked(chunks: number, fill = 7): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < chunks; i++) yield Buffer.alloc(64 * 1024, (fill + i) % 256);
  })());
}

describe('LocalContentStore', () => {
  let dir: string;
  let store: LocalContentStore;
  const leftovers = () => readdir(store.tmpDir);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zizhu-content-'));
    store = await LocalContentStore.open(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores a stream under its SHA-256, content-addressed, mode 0600, and gives the same bytes back', async () => {
    const bytes = await buffer(chunked(5));
    const ref = await store.put(chunked(5));
    expect(ref).toEqual({ digest: sha256(bytes), size: 5 * 64 * 1024 });
    const path = join(dir, 'sha256', ref.digest.slice(0, 2), ref.digest.slice(2, 4), ref.digest);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await buffer(await store.get(ref.digest))).toEqual(bytes);
    expect(await store.has(ref.digest)).toBe(true);
    expect(await store.stat(ref.digest)).toEqual(ref);
    expect(await leftovers()).toEqual([]);
  });

  it('stores the same bytes once', async () => {
    const a = await store.put(Readable.from([Buffer.from('same bytes')]));
    const b = await store.put(Readable.from([Buffer.from('same '), Buffer.from('bytes')]));
    expect(b).toEqual(a);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses content over maxBytes while it streams, and leaves nothing behind', async () => {
    let pulled = 0;
    const source = Readable.from((function* () {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.alloc(64 * 1024, 1);
      }
    })());
    const e = await store.put(source, { maxBytes: 200 * 1024 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContentStoreError);
    expect((e as ContentStoreError).code).toBe('TOO_LARGE');
    expect(pulled).toBeLessThan(10);
    expect(await leftovers()).toEqual([]);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('refuses bytes that do not have the expected digest, and leaves nothing behind', async () => {
    const e = await store.put(Readable.from([Buffer.from('one changed byte')]), { expectedDigest: sha256(Buffer.from('one changed bytf')) }).catch((x: unknown) => x);
    expect((e as ContentStoreError).code).toBe('DIGEST_MISMATCH');
    expect(await leftovers()).toEqual([]);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('removes the temporary file when the source fails half-way', async () => {
    const failing = Readable.from((async function* () {
      yield Buffer.alloc(1024, 1);
      throw new Error('client went away');
    })());
    await expect(store.put(failing)).rejects.toThrow('client went away');
    expect(await leftovers()).toEqual([]);
  });

  it('answers NOT_FOUND for absent content and INVALID_DIGEST for a malformed name (never a path)', async () => {
    await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.has('0'.repeat(64))).toBe(false);
    expect(await store.stat('0'.repeat(64))).toBeUndefined();
    await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_DIGEST' });
  });

  it('has no way to delete content', () => {
    expect((store as unknown as Record<string, unknown>).delete).toBeUndefined();
    expect((store as unknown as Record<string, unknown>).del).toBeUndefined();
  });

  it('removes stale temporary files of a crashed process at open, and keeps recent ones', async () => {
    const stale = join(store.tmpDir, 'put-stale.part');
    const recent = join(store.tmpDir, 'put-recent.part');
    await writeFile(stale, 'half');
    await writeFile(recent, 'in progress');
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    await utimes(stale, old, old);
    await LocalContentStore.open(dir);
    expect(await leftovers()).toEqual(['put-recent.part']);
  });
});
