import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Allow, Ctx, Permission, RateLimited, badInput, type RequestContext } from '@zizhu/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotaryOriginalsService } from './notary-originals.service.js';

/**
 * `POST /notary/documents/:id/original` (multipart/form-data, one file part): deposit the original
 * of a recorded document. `GET` the same path: download it (recipients only; audited).
 * `?channel=` defaults to `notary`; a download says why in `?purpose=` (default `download`).
 * Both count against the caller's rate limit.
 */
@Controller('notary/documents')
@RateLimited()
export class NotaryOriginalsController {
  constructor(private readonly originals: NotaryOriginalsService) {}

  @Post(':id/original')
  @Allow(Permission.SubmitTransaction)
  async deposit(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query('channel') channel: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const deposited = await this.originals.deposit(ctx, { channel: channel ?? 'notary', id }, req, reply);
    return reply.status(201).send(deposited);
  }

  @Get(':id/original')
  @Allow(Permission.ReadLedger)
  async download(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Query('channel') channel: string | undefined,
    @Query('purpose') purpose: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    if (purpose !== undefined && (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > 200)) throw badInput('purpose must be 1-200 characters', 'INVALID_PURPOSE');
    return this.originals.download(ctx, { channel: channel ?? 'notary', id }, purpose ?? 'download', reply);
  }
}
