import { Inject, Injectable } from '@nestjs/common';
import type { OrgKind } from '@zizhu/contract-system';
import { CLOCK, type Clock } from '../config/config.module.js';
import { TtlCache } from '../identity/ttl-cache.js';
import { LedgerService } from './ledger.service.js';

/** How long an answer is kept: organisations change by governance, rarely, and modules ask on every request. */
export const ORGANIZATION_DIRECTORY_TTL_MS = 60_000;

/**
 * The consortium's organisations as the modules ask about them: an organisation's kind (who may
 * issue, supervise, lend) and the active regulators (recipients of every sealed field), read from
 * the system channel and cached a minute.
 */
@Injectable()
export class OrganizationDirectory {
  private readonly kinds: TtlCache<OrgKind | null>;
  private readonly activeRegulators: TtlCache<string[]>;

  constructor(
    @Inject(LedgerService) private readonly ledger: Pick<LedgerService, 'organization' | 'organizations'>,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.kinds = new TtlCache(ORGANIZATION_DIRECTORY_TTL_MS, 10_000, clock);
    this.activeRegulators = new TtlCache(ORGANIZATION_DIRECTORY_TTL_MS, 1, clock);
  }

  /** The organisation's kind; undefined for one the system channel does not know. */
  async kindOf(org: string): Promise<OrgKind | undefined> {
    let kind = this.kinds.get(org);
    if (kind === undefined) {
      kind = (await this.ledger.organization(org))?.kind ?? null;
      this.kinds.set(org, kind);
    }
    return kind ?? undefined;
  }

  async isRegulator(org: string): Promise<boolean> {
    return (await this.kindOf(org)) === 'REGULATOR';
  }

  /** The ids of the ACTIVE regulators. */
  async regulators(): Promise<string[]> {
    let ids = this.activeRegulators.get('');
    if (ids === undefined) {
      ids = (await this.ledger.organizations()).filter((o) => o.kind === 'REGULATOR' && o.status === 'ACTIVE').map((o) => o.id);
      this.activeRegulators.set('', ids);
    }
    return ids;
  }
}
