import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '../context/principal.js';
import { FieldEncryptionService, type DecryptionRequest, type GeneralJWE } from '../privacy/field-encryption.service.js';
import { ContentHttp, type StagedUpload } from './content-http.js';
import { CONTENT_STORE, type ContentStore } from './content-store.js';
import type { SealedOriginalColumns } from './sealed-original.entity.js';

/** What a module writes for a sealed upload, beside its own key (`uploadedAt` is the row's). */
export type SealedUpload = Omit<SealedOriginalColumns, 'uploadedAt'>;

/**
 * Originals in custody, sealed: a document is kept as one JWE (for the recipients a module names,
 * bound to its object by `aad`) in the content store, and opened for a recipient with its
 * decryption audited. Who may deposit or download, and what the original is bound to, stay the module's.
 */
@Injectable()
export class SealedOriginals {
  constructor(
    private readonly encryption: FieldEncryptionService,
    private readonly content: ContentHttp,
    @Inject(CONTENT_STORE) private readonly store: ContentStore,
  ) {}

  /** The staged upload sealed for `recipients` into the content store: the columns to keep. */
  async sealUpload(upload: StagedUpload, recipients: string[], aad: string, uploadedBy: string): Promise<SealedUpload> {
    return {
      content: await this.seal(recipients, await upload.bytes(), aad),
      size: String(upload.size),
      filename: upload.filename.slice(0, 255),
      mediaType: upload.mimeType.slice(0, 255),
      recipients,
      uploadedBy,
    };
  }

  /** The bytes sealed for `recipients` into the content store: the content digest of the JWE. */
  async seal(recipients: readonly string[], plaintext: Uint8Array, aad: string): Promise<string> {
    const jwe = await this.encryption.encryptFor(recipients, plaintext, { aad });
    const stored = await this.store.put(Readable.from([Buffer.from(JSON.stringify(jwe), 'utf8')]));
    return stored.digest;
  }

  /** The original decrypted for the caller's organisation (audited as `request` says). */
  async open(ctx: RequestContext, original: Pick<SealedOriginalColumns, 'content'>, request: DecryptionRequest): Promise<Uint8Array> {
    const jwe = JSON.parse(await text(await this.store.get(original.content))) as GeneralJWE;
    return this.encryption.decrypt(ctx, jwe, request);
  }

  /** The opened original as a download under its deposited name and media type (`digest`: its SHA-256, when known). */
  send(reply: FastifyReply, plaintext: Uint8Array, original: Pick<SealedOriginalColumns, 'filename' | 'mediaType'>, digest?: string): FastifyReply {
    return this.content.send(reply, Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength), {
      size: plaintext.byteLength,
      filename: original.filename,
      mediaType: original.mediaType,
      ...(digest !== undefined ? { digest } : {}),
    });
  }
}
