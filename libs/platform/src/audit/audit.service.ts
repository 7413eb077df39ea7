import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { RequestContext } from '../context/principal.js';
import { AuditRecordEntity } from './audit-record.entity.js';

export type AuditAction =
  | 'DECRYPTION'
  | 'LOGIN_SUCCEEDED'
  | 'LOGIN_FAILED'
  | 'TOKEN_REFRESHED'
  | 'REFRESH_TOKEN_REUSED'
  | 'USER_CREATED'
  | 'USER_REVOKED'
  | 'API_KEY_ISSUED'
  | 'API_KEY_REVOKED';

export interface AuditEntry {
  action: AuditAction;
  /** Whose records these are; defaults to the caller's organisation. */
  org?: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** The audit trail: who did what, and every decryption of a protected field. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditRecordEntity) private readonly records: Repository<AuditRecordEntity>) {}

  async record(ctx: RequestContext | undefined, entry: AuditEntry): Promise<void> {
    const org = entry.org ?? ctx?.principal?.org;
    if (!org) throw new Error(`audit ${entry.action}: no organisation to file it under`);
    await this.records.insert({
      org,
      action: entry.action,
      actorKind: ctx?.principal?.kind ?? null,
      actorId: ctx?.principal?.id ?? null,
      actorName: ctx?.principal?.name ?? null,
      target: entry.target ?? null,
      detail: (entry.detail ?? {}) as never,
      requestId: ctx?.requestId ?? null,
    });
  }

  /**
   * Called by a module each time it decrypts a field for a user (ARCHITECTURE §3): what was read
   * (`record`, `field`), as which recipient organisation, and by whom (the context's principal).
   */
  recordDecryption(ctx: RequestContext, what: { record: string; field: string; recipientOrg: string; module?: string }): Promise<void> {
    return this.record(ctx, { action: 'DECRYPTION', target: what.record, detail: { field: what.field, recipientOrg: what.recipientOrg, ...(what.module ? { module: what.module } : {}) } });
  }

  /** An organisation's records, newest first, after the record `beforeId` (exclusive). */
  async list(org: string, first: number, beforeId?: string): Promise<AuditRecordEntity[]> {
    const qb = this.records.createQueryBuilder('a').where('a.org = :org', { org }).orderBy('a.id', 'DESC').limit(first);
    if (beforeId !== undefined) qb.andWhere('a.id < :beforeId', { beforeId });
    return qb.getMany();
  }
}
