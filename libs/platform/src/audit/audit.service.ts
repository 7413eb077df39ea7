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
  | 'API_KEY_REVOKED'
  | 'WEBHOOK_ENDPOINT_CREATED'
  | 'WEBHOOK_ENDPOINT_DELETED'
  | 'WEBHOOK_ENDPOINT_DISABLED'
  | 'WEBHOOK_ENDPOINT_ENABLED'
  | 'WEBHOOK_ENDPOINT_SECRET_ROTATED';

export interface AuditEntry {
  action: AuditAction;
  /** Whose records these are; defaults to the caller's organisation. */
  org?: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** What FieldEncryptionService records for each decryption it is asked for. */
export interface DecryptionAuditEntry {
  /** The object the field belongs to, e.g. `evidence:ev_123`. */
  object: string;
  field: string;
  /** Why it was read (a view, a download, a regulator's review), as the calling use case says. */
  purpose: string;
  /** DECRYPTED; DENIED (the organisation is not a recipient, or holds no key here); FAILED (wrong key or tampered JWE). */
  outcome: 'DECRYPTED' | 'DENIED' | 'FAILED';
  reason?: string;
  module?: string;
  /** The JWE's recipient organisations. */
  recipients?: string[];
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
   * Every decryption attempt for a principal (ARCHITECTURE §3), filed under the principal's
   * organisation: what was read (`object`, `field`), why (`purpose`), and whether it was opened.
   */
  recordDecryption(ctx: RequestContext, what: DecryptionAuditEntry): Promise<void> {
    const { object, ...detail } = what;
    return this.record(ctx, { action: 'DECRYPTION', target: object, detail: Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined)) });
  }

  /** An organisation's records, newest first, after the record `beforeId` (exclusive). */
  async list(org: string, first: number, beforeId?: string): Promise<AuditRecordEntity[]> {
    const qb = this.records.createQueryBuilder('a').where('a.org = :org', { org }).orderBy('a.id', 'DESC').limit(first);
    if (beforeId !== undefined) qb.andWhere('a.id < :beforeId', { beforeId });
    return qb.getMany();
  }
}
