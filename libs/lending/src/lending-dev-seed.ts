import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CLOCK, LedgerService, ZIZHU_CONFIG, type Clock, type ZizhuConfig } from '@zizhu/platform';
import type { Repository } from 'typeorm';
import { LendingLprEntity } from './entities/index.js';
import { LENDING_CHANNEL } from './lending-access.service.js';

/** The one-year LPR a development consortium starts with: 3.45 %, so the APR cap is 13.80 %. */
export const DEV_LPR_BPS = 345;

/**
 * First start of a development node (as DevConsortiumBootstrap creates the admin users): the
 * regulator publishes a one-year LPR, so listings can be checked against the APR cap at once (the
 * contract fails closed with LPR_NOT_SET without one). Only when this node holds the regulator's
 * admin key, commits the ledger, and no LPR was ever published. Platforms are not onboarded here:
 * that is the bank's act, through GraphQL (README, lending walk-through).
 */
@Injectable()
export class LendingDevSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger('LendingDevSeed');

  constructor(
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ledger: LedgerService,
    @InjectRepository(LendingLprEntity) private readonly lprs: Repository<LendingLprEntity>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.NODE_ENV === 'production' || !this.ledger.isCommitter) return;
    const regulator = this.ledger.genesis.orgs.find((o) => o.kind === 'REGULATOR')?.id;
    const key = `${regulator}/admin`;
    if (!regulator || !this.ledger.keys.has(key) || !this.ledger.channels(regulator).some((c) => c.name === LENDING_CHANNEL)) return;
    if ((await this.lprs.count()) > 0) return;
    // In force from just after the block that records it (an LPR cannot start in the past).
    for (const lead of [100, 1_000]) {
      const receipt = await this.ledger.submitWithKey(key, { channel: LENDING_CHANNEL, contract: 'lending', method: 'setLpr', args: { effectiveFrom: this.clock() + lead, bps: DEV_LPR_BPS } });
      if (receipt.status === 'COMMITTED') {
        this.logger.log(`development consortium: ${regulator} published the one-year LPR ${DEV_LPR_BPS} bps`);
        return;
      }
      if (receipt.error?.code !== 'LPR_IN_PAST') break;
    }
    this.logger.warn('development consortium: the LPR could not be published; listings fail with LPR_NOT_SET until the regulator publishes one (publishLpr)');
  }
}
