import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { documentDigestHex } from '@zizhu/crypto';
import { ContentHttp, OrganizationDirectory, SealedOriginals, badInput, notFound, requirePrincipal, type RequestContext, type StagedUpload } from '@zizhu/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Repository } from 'typeorm';
import { EvidenceOriginalEntity } from './entities/evidence-original.entity.js';
import type { EvidenceRecordEntity } from './entities/evidence-record.entity.js';
import { EvidenceService } from './evidence.service.js';
import type { DigestAlgEnum, EvidenceVerificationModel } from './models/evidence-record.model.js';

export interface DepositedOriginal {
  evidenceId: string;
  digest: string;
  size: number;
  /** Content-store digest of the JWE holding it. */
  content: string;
  recipients: string[];
}

/** Binds a stored original to its record and digest. */
const originalAad = (record: EvidenceRecordEntity) => `evidence:${record.id}/original@${record.digest}`;

/**
 * Custody of originals ("cloud storage"): the issuer or holder uploads the document whose digest is
 * the anchored one; it is kept as a JWE (issuer, holder, regulators) in the content store, sealed
 * again when the holding moves; a recipient downloads it (decryption audited, DOWNLOADED on chain).
 * And public verification of an uploaded file ("cloud verification").
 */
@Injectable()
export class EvidenceOriginalsService {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly organizations: OrganizationDirectory,
    private readonly content: ContentHttp,
    private readonly sealed: SealedOriginals,
    @InjectRepository(EvidenceOriginalEntity) private readonly originals: Repository<EvidenceOriginalEntity>,
  ) {}

  async deposit(ctx: RequestContext, id: string, req: FastifyRequest, reply: FastifyReply): Promise<DepositedOriginal> {
    const principal = requirePrincipal(ctx);
    const record = await this.evidence.record(ctx, id);
    this.evidence.assertIssuerOrHolder(principal, record);
    return this.content.receive(req, reply, async (upload) => {
      const digest = await digestOf(upload, record.digestAlg as DigestAlgEnum);
      if (digest !== record.digest) throw badInput(`the file's ${record.digestAlg} is ${digest}, not the anchored digest ${record.digest}`, 'DIGEST_MISMATCH');
      const existing = await this.originals.findOneBy({ evidenceId: id });
      if (existing) return describe(existing, record);
      const recipients = [...new Set([record.issuer, record.holder, ...(await this.organizations.regulators())])];
      const sealed = await this.sealed.sealUpload(upload, recipients, originalAad(record), principal.id);
      await this.originals.createQueryBuilder().insert().values({ evidenceId: id, ...sealed }).orIgnore().execute();
      return describe((await this.originals.findOneBy({ evidenceId: id }))!, record);
    });
  }

  async download(ctx: RequestContext, id: string, purpose: string, reply: FastifyReply): Promise<FastifyReply> {
    const record = await this.evidence.record(ctx, id);
    const original = await this.originals.findOneBy({ evidenceId: id });
    if (!original) throw notFound(`no original of evidence ${id} is in custody`);
    const plaintext = await this.open(ctx, record, original, purpose);
    await this.evidence.recordDownload(requirePrincipal(ctx), record);
    return this.sealed.send(reply, plaintext, original, record.digestAlg === 'sha256' ? record.digest : undefined);
  }

  /**
   * A transfer of holding (EvidenceService.transferHolding), then the original in custody, if any,
   * sealed again for the same recipients as the metadata: the new holder can always retrieve it, the
   * old one no longer. The caller (issuer or holder until now, so a recipient) opens it: audited.
   */
  async transferHolding(ctx: RequestContext, id: string, to: string): Promise<EvidenceRecordEntity> {
    const { record, recipients } = await this.evidence.transferHolding(ctx, id, to);
    const original = await this.originals.findOneBy({ evidenceId: id });
    if (original) {
      const content = await this.sealed.seal(recipients, await this.open(ctx, record, original, 'transfer of holding'), originalAad(record));
      await this.originals.update({ evidenceId: id }, { content, recipients });
    }
    return record;
  }

  private async open(ctx: RequestContext, record: EvidenceRecordEntity, original: EvidenceOriginalEntity, purpose: string): Promise<Uint8Array> {
    return this.sealed.open(ctx, original, { object: `evidence:${record.id}`, field: 'original', purpose, module: 'evidence', aad: originalAad(record) });
  }

  /** Public: the uploaded file's digests (SHA-256 and SM3) looked up; nothing is kept. */
  async verifyUpload(req: FastifyRequest, reply: FastifyReply): Promise<EvidenceVerificationModel> {
    return this.content.receive(req, reply, async (upload) => {
      const bySha = await this.evidence.verify('sha256' as DigestAlgEnum, upload.digest);
      if (bySha.found) return bySha;
      const bySm3 = await this.evidence.verify('sm3' as DigestAlgEnum, documentDigestHex('sm3', await upload.bytes()));
      return bySm3.found ? bySm3 : bySha;
    });
  }
}

async function digestOf(upload: StagedUpload, alg: DigestAlgEnum): Promise<string> {
  return alg === 'sha256' ? upload.digest : documentDigestHex(alg, await upload.bytes());
}

const describe = (o: EvidenceOriginalEntity, record: EvidenceRecordEntity): DepositedOriginal => ({
  evidenceId: o.evidenceId,
  digest: record.digest,
  size: Number(o.size),
  content: o.content,
  recipients: o.recipients,
});
