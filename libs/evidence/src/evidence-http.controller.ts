import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Allow, Ctx, Permission, RateLimited, badInput, type RequestContext } from '@zizhu/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { evidenceCertificatePdf } from './evidence-certificate.pdf.js';
import { EvidenceOriginalsService } from './evidence-originals.service.js';
import { EvidenceService } from './evidence.service.js';
import type { DigestAlgEnum } from './models/evidence-record.model.js';

const HEX64 = /^[0-9a-f]{64}$/;
const checkId = (id: string) => {
  if (!HEX64.test(id)) throw badInput('id must be an evidence id (64 lowercase hex)', 'INVALID_ID');
};

/**
 * HTTP routes of the evidence module:
 * - `POST /evidence/records/:id/original` (multipart, one file): custody of the original (issuer or holder);
 *   `GET` the same path: download it (recipients; audited; DOWNLOADED on chain);
 * - `GET /evidence/records/:id/certificate` (JSON) and `/certificate.pdf` (parties and the regulator);
 * - `GET /evidence/verify?alg=&digest=` and `POST /evidence/verify` (multipart file): public verification.
 * Every route counts against its caller's rate limit (anonymous callers: PUBLIC_RATE_LIMIT_PER_MINUTE per address).
 */
@Controller('evidence')
@RateLimited()
export class EvidenceHttpController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly originals: EvidenceOriginalsService,
  ) {}

  @Post('records/:id/original')
  @Allow(Permission.SubmitTransaction)
  async deposit(@Ctx() ctx: RequestContext, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    checkId(id);
    return reply.status(201).send(await this.originals.deposit(ctx, id, req, reply));
  }

  @Get('records/:id/original')
  @Allow(Permission.ReadLedger)
  async download(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query('purpose') purpose: string | undefined, @Res() reply: FastifyReply) {
    checkId(id);
    if (purpose !== undefined && (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > 200)) throw badInput('purpose must be 1-200 characters', 'INVALID_PURPOSE');
    return this.originals.download(ctx, id, purpose ?? 'download', reply);
  }

  @Get('records/:id/certificate')
  @Allow(Permission.ReadLedger)
  async certificate(@Ctx() ctx: RequestContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    checkId(id);
    const cert = await this.evidence.certificate(await this.evidence.record(ctx, id));
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="evidence-${id.slice(0, 16)}.json"`)
      .send(JSON.stringify(cert, null, 2));
  }

  @Get('records/:id/certificate.pdf')
  @Allow(Permission.ReadLedger)
  async certificatePdf(@Ctx() ctx: RequestContext, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    checkId(id);
    const cert = await this.evidence.certificate(await this.evidence.record(ctx, id));
    const verifyUrl = `${req.protocol}://${req.host}/evidence/verify?alg=${cert.evidence.digest.alg}&digest=${cert.evidence.digest.value}`;
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="evidence-${id.slice(0, 16)}.pdf"`)
      .send(await evidenceCertificatePdf(cert, verifyUrl));
  }

  @Get('verify')
  @Allow(Permission.Public)
  async verify(@Query('alg') alg: string | undefined, @Query('digest') digest: string | undefined) {
    const a = alg ?? 'sha256';
    if (a !== 'sha256' && a !== 'sm3') throw badInput('alg must be sha256 or sm3', 'INVALID_ALG');
    if (typeof digest !== 'string' || !HEX64.test(digest)) throw badInput('digest must be 64 lowercase hex characters', 'INVALID_DIGEST');
    return this.evidence.verify(a as DigestAlgEnum, digest);
  }

  @Post('verify')
  @Allow(Permission.Public)
  async verifyFile(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return reply.status(200).send(await this.originals.verifyUpload(req, reply));
  }
}
