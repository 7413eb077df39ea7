import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, LedgerService, type Clock } from '@zizhu/platform';
import { EVIDENCE_CHANNEL, EvidenceService } from '../evidence.service.js';

/** How often the committer looks for envelopes past their expiry. */
export const ENVELOPE_EXPIRY_INTERVAL_MS = 1_000;

/**
 * Closes signing envelopes at their expiry: the committing process submits `expireEnvelope` for each
 * unfinished envelope past `expiresAt`, signed with its own organisation's admin key (anyone may
 * expire an envelope; the contract checks the block time). It runs on the committer because a
 * job worker has no chain (ModuleJobDeps); the contract makes a second attempt a REVERTED no-op.
 */
@Injectable()
export class EnvelopeExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EnvelopeExpiry');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly evidence: EvidenceService,
    private readonly ledger: LedgerService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), ENVELOPE_EXPIRY_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns how many envelopes it expired. */
  async run(): Promise<number> {
    if (this.running || !this.ledger.isOpen || !this.ledger.isCommitter) return 0;
    this.running = true;
    try {
      const org = this.ledger.genesis.nodes.find((n) => n.name === this.ledger.nodeName)?.org;
      const key = org ? `${org}/admin` : undefined;
      if (!key || !this.ledger.keys.has(key)) return 0;
      const due = (await this.evidence.dueForExpiry(100)).filter((e) => e.expiresAt.getTime() < this.clock());
      const receipts = await Promise.all(
        due.map((e) => this.ledger.submitWithKey(key, { channel: EVIDENCE_CHANNEL, contract: 'evidence', method: 'expireEnvelope', args: { envelopeId: e.id } })),
      );
      return receipts.filter((r) => r.status === 'COMMITTED').length;
    } catch (e) {
      this.logger.warn(`envelope expiry: ${(e as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
