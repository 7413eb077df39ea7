import { Injectable, Logger } from '@nestjs/common';
import { LedgerService, QueueName, type CommitterJobHandler } from '@zizhu/platform';
import { LENDING_CHANNEL } from '../lending-access.service.js';
import { LendingPlatformsService } from '../lending-platforms.service.js';
import { LoansService } from '../loans.service.js';

/** The contract's answers that mean there is nothing (left) to mark: paid or marked meanwhile, or a loan closed. */
const NOTHING_TO_MARK = new Set(['ALREADY_OVERDUE', 'INSTALMENT_PAID', 'LOAN_NOT_ACTIVE']);
const BATCH = 200;

export interface OverdueRunResult {
  marked: number;
  /** Seen due by the read model but refused as not yet overdue by the block time (clock skew): marked on a later run. */
  early: number;
}

/**
 * Marks instalments OVERDUE (the scheduled job `lending-overdue`, every 15 minutes): every DUE
 * instalment whose due date plus the regulator's grace days has passed gets a `markOverdue`
 * transaction, signed with the admin key of this node's organisation (anyone may mark; the
 * contract checks the block time). The committer runs it (QueueSettings: consumer `committer`),
 * since workers hold no keys. The notifications follow from the InstalmentOverdue events: the
 * projection records them for the platform and the borrower and sends them to the platform's
 * webhook endpoints (`lending.instalment.overdue`).
 */
@Injectable()
export class LendingOverdueJob implements CommitterJobHandler<QueueName.LENDING_OVERDUE> {
  readonly queue = QueueName.LENDING_OVERDUE;
  private readonly logger = new Logger('LendingOverdue');

  constructor(
    private readonly ledger: LedgerService,
    private readonly loans: LoansService,
    private readonly platforms: LendingPlatformsService,
  ) {}

  async handle(): Promise<OverdueRunResult> {
    const { graceDays } = await this.platforms.contractConfig();
    const key = this.signingKey();
    const result: OverdueRunResult = { marked: 0, early: 0 };
    for (;;) {
      const due = await this.loans.dueForOverdue(graceDays, BATCH);
      if (due.length === 0) return result;
      const receipts = await Promise.all(due.map((i) => this.ledger.submitWithKey(key, { channel: LENDING_CHANNEL, contract: 'lending', method: 'markOverdue', args: { loanId: i.loanId, instalment: i.k } })));
      let progressed = 0;
      for (const r of receipts) {
        const code = r.error?.code;
        if (r.status === 'COMMITTED') result.marked++;
        else if (code === 'NOT_YET_OVERDUE') result.early++;
        else if (!code || !NOTHING_TO_MARK.has(code)) throw new Error(`markOverdue ${r.hash}: ${code ?? r.status} ${r.error?.message ?? ''}`.trim());
        if (code !== 'NOT_YET_OVERDUE') progressed++;
      }
      // What is left is not overdue yet by the block time: a later run marks it.
      if (due.length < BATCH || progressed === 0) {
        if (result.marked > 0) this.logger.log(`marked ${result.marked} instalments overdue`);
        return result;
      }
    }
  }

  /** At committer start and periodically: at once rather than at the next scheduled run, which Redis may have lost. */
  catchUp(): Promise<OverdueRunResult> {
    return this.handle();
  }

  private signingKey(): string {
    const org = this.ledger.genesis.nodes.find((n) => n.name === this.ledger.nodeName)?.org;
    const key = org ? `${org}/admin` : undefined;
    if (!key || !this.ledger.keys.has(key)) throw new Error(`this node holds no admin key of its organisation (${key ?? 'unknown organisation'}) to mark instalments overdue with`);
    return key;
  }
}
