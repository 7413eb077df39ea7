import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  ContentHttp,
  LedgerService,
  OrganizationDirectory,
  SealedOriginals,
  badInput,
  forbidden,
  notFound,
  requirePrincipal,
  type RequestContext,
  type StagedUpload,
} from '@zizhu/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Repository } from 'typeorm';
import { NotaryDocumentEntity } from './entities/notary-document.entity.js';
import { NotaryOriginalEntity } from './entities/notary-original.entity.js';

const DOCUMENT_ID = /^[A-Za-z0-9._-]{1,128}$/;
const CHANNEL = /^[a-z][a-z0-9-]{0,62}$/;

/** What an upload answers. */
export interface DepositedOriginal {
  channel: string;
  id: string;
  digest: string;
  size: number;
  /** Content-store digest of the JWE holding it. */
  content: string;
  recipients: string[];
}

/** A notary record's identity, checked: the channel is readable by the caller and the record exists. */
interface RecordRef {
  channel: string;
  id: string;
}

/**
 * Custody of originals for the notary sample: the owner of a record deposits the document whose
 * SHA-256 is the recorded digest; it is kept encrypted (JWE for the owner and the regulators) in
 * the content store; recipients download it, each decryption audited.
 */
@Injectable()
export class NotaryOriginalsService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly organizations: OrganizationDirectory,
    private readonly content: ContentHttp,
    private readonly sealed: SealedOriginals,
    @InjectRepository(NotaryDocumentEntity) private readonly documents: Repository<NotaryDocumentEntity>,
    @InjectRepository(NotaryOriginalEntity) private readonly originals: Repository<NotaryOriginalEntity>,
  ) {}

  async deposit(ctx: RequestContext, ref: RecordRef, req: FastifyRequest, reply: FastifyReply): Promise<DepositedOriginal> {
    const principal = requirePrincipal(ctx);
    const doc = await this.document(ctx, ref);
    if (doc.owner !== principal.org) throw forbidden(`only ${doc.owner}, which recorded ${ref.id}, may deposit its original`, 'NOT_OWNER');
    return this.content.receive(req, reply, async (upload) => {
      if (upload.digest !== doc.digest) throw badInput(`the file's SHA-256 is ${upload.digest}, not the recorded digest ${doc.digest}`, 'DIGEST_MISMATCH');
      const existing = await this.originals.findOneBy({ channel: ref.channel, id: ref.id, digest: doc.digest });
      if (existing) return describe(existing);
      return describe(await this.keep(ref, doc, upload, principal.id));
    });
  }

  /** The original of the record's current version, decrypted for the caller (audited), as a download. */
  async download(ctx: RequestContext, ref: RecordRef, purpose: string, reply: FastifyReply): Promise<FastifyReply> {
    const doc = await this.document(ctx, ref);
    const original = await this.originals.findOneBy({ channel: ref.channel, id: ref.id, digest: doc.digest });
    if (!original) throw notFound(`no original of ${ref.id} version ${doc.version} has been deposited`);
    const plaintext = await this.sealed.open(ctx, original, {
      object: `notary:${ref.channel}/${ref.id}`,
      field: 'original',
      purpose,
      module: 'notary',
      aad: aadOf(ref, doc.digest),
    });
    return this.sealed.send(reply, plaintext, original, original.digest);
  }

  private async keep(ref: RecordRef, doc: NotaryDocumentEntity, upload: StagedUpload, uploadedBy: string): Promise<NotaryOriginalEntity> {
    const regulators = await this.organizations.regulators();
    const recipients = [...new Set([doc.owner, ...regulators])];
    const row: NotaryOriginalEntity = {
      channel: ref.channel,
      id: ref.id,
      digest: doc.digest,
      ...(await this.sealed.sealUpload(upload, recipients, aadOf(ref, doc.digest), uploadedBy)),
      uploadedAt: new Date(),
    };
    // A concurrent deposit of the same bytes made the same row: keep the first.
    await this.originals.createQueryBuilder().insert().values(row).orIgnore().execute();
    return (await this.originals.findOneBy({ channel: ref.channel, id: ref.id, digest: doc.digest }))!;
  }

  private async document(ctx: RequestContext, ref: RecordRef): Promise<NotaryDocumentEntity> {
    if (!CHANNEL.test(ref.channel)) throw badInput('channel must be a lowercase channel name', 'INVALID_CHANNEL');
    if (!DOCUMENT_ID.test(ref.id)) throw badInput('id must be 1-128 letters, digits, ".", "_" or "-"', 'INVALID_ID');
    this.ledger.assertChannelReadable(requirePrincipal(ctx), ref.channel);
    const doc = await this.documents.findOneBy({ channel: ref.channel, id: ref.id });
    if (!doc) throw notFound(`no document ${ref.id} is recorded on ${ref.channel}`);
    return doc;
  }
}

/** Binds a JWE to the record version it holds: it cannot be passed off as another's original. */
const aadOf = (ref: RecordRef, digest: string) => `notary:${ref.channel}/${ref.id}@${digest}`;

const describe = (o: NotaryOriginalEntity): DepositedOriginal => ({
  channel: o.channel,
  id: o.id,
  digest: o.digest,
  size: Number(o.size),
  content: o.content,
  recipients: o.recipients,
});
