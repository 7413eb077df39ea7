import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertDigest, ContentStoreError, type ContentRef, type ContentStore, type PutOptions } from './content-store.js';

/** Temporary files older than this are a crashed process's leftovers. */
const STALE_TEMP_MS = 24 * 3600_000;

/**
 * The content store on a local filesystem: `<dir>/sha256/<d0d1>/<d2d3>/<digest>`, each written to
 * `<dir>/tmp/` first, fsynced, then renamed into place (atomic: a reader sees all of it or none),
 * and the directory fsynced. Files are mode 0600 and never rewritten.
 */
export class LocalContentStore implements ContentStore {
  readonly tmpDir: string;

  private constructor(readonly dir: string) {
    this.tmpDir = join(dir, 'tmp');
  }

  /** Creates the folders and removes temporary files a crashed process left behind. */
  static async open(dir: string): Promise<LocalContentStore> {
    const store = new LocalContentStore(dir);
    await mkdir(store.tmpDir, { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'sha256'), { recursive: true, mode: 0o700 });
    const now = Date.now();
    for (const name of await readdir(store.tmpDir)) {
      const path = join(store.tmpDir, name);
      const s = await stat(path).catch(() => undefined);
      // Another process sharing the folder may be writing a recent one.
      if (s && now - s.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
    }
    return store;
  }

  pathOf(digest: string): string {
    assertDigest(digest);
    return join(this.dir, 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
  }

  /** A fresh temporary file name under tmp/ (also used by uploads to stage what they receive). */
  tempPath(purpose = 'put'): string {
    return join(this.tmpDir, `${purpose}-${randomBytes(12).toString('hex')}.part`);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<ContentRef> {
    if (options.expectedDigest !== undefined) assertDigest(options.expectedDigest);
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        for await (const chunk of source) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
          size += bytes.length;
          if (options.maxBytes !== undefined && size > options.maxBytes) throw new ContentStoreError('TOO_LARGE', `content is larger than ${options.maxBytes} bytes`);
          hash.update(bytes);
          await fh.write(bytes);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = hash.digest('hex');
      if (options.expectedDigest !== undefined && digest !== options.expectedDigest) {
        throw new ContentStoreError('DIGEST_MISMATCH', `content has SHA-256 ${digest}, not ${options.expectedDigest}`);
      }
      const final = this.pathOf(digest);
      if (await this.exists(final)) {
        await rm(tmp, { force: true });
      } else {
        const folder = join(this.dir, 'sha256', digest.slice(0, 2), digest.slice(2, 4));
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await rename(tmp, final);
        await fsyncDir(folder);
      }
      return { digest, size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(digest: string): Promise<Readable> {
    const path = this.pathOf(digest);
    // Opened before returning, so that a missing file is NOT_FOUND here rather than a stream error later.
    const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new ContentStoreError('NOT_FOUND', `no content ${digest}`);
      throw e;
    });
    return fh.createReadStream();
  }

  async has(digest: string): Promise<boolean> {
    return this.exists(this.pathOf(digest));
  }

  async stat(digest: string): Promise<ContentRef | undefined> {
    const s = await stat(this.pathOf(digest)).catch(() => undefined);
    return s?.isFile() ? { digest, size: s.size } : undefined;
  }

  private async exists(path: string): Promise<boolean> {
    return (await stat(path).catch(() => undefined))?.isFile() ?? false;
  }
}

/** Persists a rename (best effort: not every platform can fsync a directory). */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* ignore */
  }
}
