import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { AppError, badInput } from '../graphql/errors.js';

/** Where uploads are staged while they stream in (removed once the route has decided). */
export const UPLOAD_STAGING_DIR = Symbol('UPLOAD_STAGING_DIR');

/** A received file, hashed while it streamed in, staged on local disk until the route has decided. */
export interface StagedUpload {
  /** SHA-256 (lowercase hex) of the file's bytes. */
  readonly digest: string;
  readonly size: number;
  /** As the client named it (untrusted; never a path). */
  readonly filename: string;
  readonly mimeType: string;
  /** Text fields sent before the file part. */
  readonly fields: Readonly<Record<string, string>>;
  /** The staged bytes as a stream. */
  read(): Readable;
  /** The staged bytes in memory (at most UPLOAD_MAX_BYTES), e.g. to encrypt them. */
  bytes(): Promise<Buffer>;
}

export interface DownloadMeta {
  /** Byte length, sent as Content-Length when known. */
  size?: number;
  filename?: string;
  mediaType?: string;
  /** SHA-256 of the bytes sent, as `x-content-sha256`. */
  digest?: string;
}

/** Slack for multipart boundaries, part headers and the small fields before the file. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = (max: number) => new AppError('BAD_USER_INPUT', `the file is larger than this node accepts (UPLOAD_MAX_BYTES = ${max} bytes)`, 'UPLOAD_TOO_LARGE');

/**
 * Streamed multipart uploads and downloads on Fastify for module routes. A route declares its
 * permission with `@Allow` like any operation (the guard authenticates with the same bearer JWT or
 * API key as GraphQL before the body is read), then calls `receive`: the file part streams to a
 * staging file under the content folder while SHA-256 is computed, the size limit is enforced as it
 * streams (413, reason UPLOAD_TOO_LARGE), and the route's `accept` decides, knowing the digest,
 * what to keep (usually: encrypt, then ContentStore.put). The staging file is always removed.
 */
@Injectable()
export class ContentHttp implements OnModuleInit {
  constructor(
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(UPLOAD_STAGING_DIR) private readonly stagingDir: string,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** Registers @fastify/multipart once on the node's Fastify (before it starts listening). */
  onModuleInit(): void {
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('multipart/form-data')) return;
    void fastify.register(multipart, {
      // busboy stops the file at the limit (and marks it truncated); `receive` answers 413.
      throwFileSizeLimit: false,
      limits: { fileSize: this.config.UPLOAD_MAX_BYTES, files: 1, fields: 16, fieldSize: 4096, parts: 20, headerPairs: 100 },
    });
  }

  get maxBytes(): number {
    return this.config.UPLOAD_MAX_BYTES;
  }

  async receive<T>(req: FastifyRequest, reply: FastifyReply, accept: (upload: StagedUpload) => Promise<T>): Promise<T> {
    if (typeof req.isMultipart !== 'function' || !req.isMultipart()) throw badInput('send the file as multipart/form-data', 'NOT_MULTIPART');
    const max = this.config.UPLOAD_MAX_BYTES;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max + MULTIPART_OVERHEAD) {
      // Refused before reading: close the connection rather than drain what the client still sends.
      void reply.header('connection', 'close');
      throw tooLarge(max);
    }
    let part: MultipartFile | undefined;
    try {
      part = await req.file();
    } catch (e) {
      throw badInput(`the multipart body is malformed: ${(e as Error).message}`, 'MALFORMED_MULTIPART');
    }
    if (!part) throw badInput('the multipart body has no file part', 'NO_FILE');
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(part.fields)) {
      const entry = Array.isArray(value) ? value[0] : value;
      if (entry && entry.type === 'field' && typeof entry.value === 'string') fields[name] = entry.value;
    }

    await mkdir(this.stagingDir, { recursive: true, mode: 0o700 });
    const staged = join(this.stagingDir, `upload-${randomBytes(12).toString('hex')}.part`);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const fh = await open(staged, 'wx', 0o600);
      try {
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > max) break;
          hash.update(chunk);
          await fh.write(chunk);
        }
      } finally {
        await fh.close();
      }
      if (size > max || part.file.truncated) {
        void reply.header('connection', 'close');
        throw tooLarge(max);
      }
      const upload: StagedUpload = Object.freeze({
        digest: hash.digest('hex'),
        size,
        filename: part.filename,
        mimeType: part.mimetype,
        fields: Object.freeze(fields),
        read: () => createReadStream(staged),
        bytes: () => readFile(staged),
      });
      return await accept(upload);
    } catch (e) {
      // A client that went away mid-upload is not the node's error.
      if (!(e instanceof AppError) && req.raw.destroyed) throw badInput('the upload was interrupted', 'UPLOAD_INTERRUPTED');
      throw e;
    } finally {
      await rm(staged, { force: true });
    }
  }

  /** Streams content to the client as a download (never cached, never sniffed). */
  send(reply: FastifyReply, body: Readable | Buffer, meta: DownloadMeta = {}): FastifyReply {
    void reply
      .header('content-type', meta.mediaType || 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store');
    if (meta.size !== undefined) void reply.header('content-length', String(meta.size));
    if (meta.digest) void reply.header('x-content-sha256', meta.digest);
    if (meta.filename) void reply.header('content-disposition', contentDisposition(meta.filename));
    return reply.send(body);
  }
}

/** `attachment` with an ASCII fallback and the RFC 6266 / 5987 UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
