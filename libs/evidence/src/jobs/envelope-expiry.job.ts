import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LedgerService, QueueName, type CommitterJobHandler, type EnvelopeExpiryPayload } from '@zizhu/platform';
import type { Repository } from 'typeorm';
import { EvidenceEnvelopeEntity } from '../entities/evidence-envelope.entity.js';
import { EVIDENCE_CHANNEL, EvidenceService } from '../evidence.service.js';

/** Envelope statuses after which there is nothing left to expire. */
const FINISHED = new Set(['COMPLETED', 'DECLINED', 'VOIDED', 'EXPIRED']);
/** The contract's answers that mean the envelope is finished already (a second attempt, a race with the last signature). */
const ALREADY_FINISHED = new Set(['ENVELOPE_COMPLETED', 'ENVELOPE_DECLINED', 'ENVELOPE_VOIDED', 'ENVELOPE_EXPIRED']);

export type EnvelopeExpiryResult = { expired: true; tx: string } | { finished: string };

/**
 * Closes a signing envelope at its expiry (the delayed job `expire:<envelopeId>` the projection
 * enqueued with the envelope): submits `expireEnvelope`, signed with the admin key of
 * this node's organisation (anyone may expire an envelope; the contract checks the block time).
 * The committer runs it (QueueSettings: consumer `committer`), since workers hold no keys. An
 * envelope finished meanwhile is done without a transaction; a block time not yet past the expiry
 * (NOT_EXPIRED) fails the attempt, which BullMQ retries with backoff.
 */
@Injectable()
export class EnvelopeExpiryJob implements CommitterJobHandler<QueueName.EVIDENCE_ENVELOPE_EXPIRY> {
  readonly queue = QueueName.EVIDENCE_ENVELOPE_EXPIRY;

  constructor(
    private readonly evidence: EvidenceService,
    private readonly ledger: LedgerService,
    @InjectRepository(EvidenceEnvelopeEntity) private readonly envelopes: Repository<EvidenceEnvelopeEntity>,
  ) {}

  async handle(payload: EnvelopeExpiryPayload): Promise<EnvelopeExpiryResult> {
    const envelope = await this.envelopes.findOneBy({ id: payload.envelopeId });
    if (!envelope) throw new Error(`envelope ${payload.envelopeId} is not in the read model`);
    if (FINISHED.has(envelope.status)) return { finished: envelope.status };
    const receipt = await this.ledger.submitWithKey(this.signingKey(), { channel: EVIDENCE_CHANNEL, contract: 'evidence', method: 'expireEnvelope', args: { envelopeId: envelope.id } });
    if (receipt.status === 'COMMITTED') return { expired: true, tx: receipt.hash };
    const code = receipt.error?.code ?? receipt.status;
    if (ALREADY_FINISHED.has(code)) return { finished: code };
    throw new Error(`expireEnvelope ${envelope.id}: ${code} ${receipt.error?.message ?? ''}`.trim());
  }

  /**
   * The safety net for jobs Redis lost: expires every unfinished envelope already past its expiry
   * (later ones keep their delayed jobs).
   */
  async catchUp(): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.evidence.dueForExpiry(100);
      const results = await Promise.allSettled(due.map((e) => this.handle({ envelopeId: e.id, expiresAt: e.expiresAt.getTime() })));
      const done = results.filter((r) => r.status === 'fulfilled' && 'expired' in r.value).length;
      expired += done;
      if (due.length < 100 || done === 0) return expired;
    }
  }

  private signingKey(): string {
    const org = this.ledger.genesis.nodes.find((n) => n.name === this.ledger.nodeName)?.org;
    const key = org ? `${org}/admin` : undefined;
    if (!key || !this.ledger.keys.has(key)) throw new Error(`this node holds no admin key of its organisation (${key ?? 'unknown organisation'}) to expire envelopes with`);
    return key;
  }
}
