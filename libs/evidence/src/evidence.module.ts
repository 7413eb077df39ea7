import { TypeOrmModule } from '@nestjs/typeorm';
import { EvidenceContract } from '@zizhu/contract-evidence';
import { EVIDENCE_MIGRATIONS } from '@zizhu/migrations';
import { UserEntity, defineZizhuModule } from '@zizhu/platform';
import { EvidenceEnvelopeEntity } from './entities/evidence-envelope.entity.js';
import { EvidenceFlowEntity } from './entities/evidence-flow.entity.js';
import { EvidenceOriginalEntity } from './entities/evidence-original.entity.js';
import { EvidenceRecordEntity } from './entities/evidence-record.entity.js';
import { EvidenceHttpController } from './evidence-http.controller.js';
import { EvidenceOriginalsService } from './evidence-originals.service.js';
import { EvidenceResolver, PublicEvidenceResolver } from './evidence.resolver.js';
import { EVIDENCE_CHANNEL, EvidenceService } from './evidence.service.js';
import { EnvelopeExpiryJob } from './jobs/envelope-expiry.job.js';
import { evidenceRecordsProjection } from './projections/evidence-records.projection.js';
import { SigningEnvelopesResolver } from './signing-envelopes.resolver.js';

/**
 * The evidence module (ARCHITECTURE §5, the model the other modules copy): the evidence contract on
 * its own channel (every organisation a member: holders are anyone), read models projected in each
 * block's commit, GraphQL for issuers, holders, signers and the regulator, public verification,
 * custody of originals and certificates over HTTP, webhook events of the records' timelines (to
 * their parties' endpoints), and envelope expiry as a delayed job the committer runs.
 */
export const EVIDENCE_MODULE = defineZizhuModule({
  name: 'evidence',
  contracts: [EvidenceContract],
  channels: [{ name: EVIDENCE_CHANNEL, contracts: ['evidence'] }],
  entities: [EvidenceRecordEntity, EvidenceFlowEntity, EvidenceEnvelopeEntity, EvidenceOriginalEntity],
  migrations: EVIDENCE_MIGRATIONS,
  projections: () => [evidenceRecordsProjection([EVIDENCE_CHANNEL])],
  api: {
    imports: [TypeOrmModule.forFeature([UserEntity])],
    providers: [EvidenceService, EvidenceOriginalsService],
    resolvers: [EvidenceResolver, PublicEvidenceResolver, SigningEnvelopesResolver],
    controllers: [EvidenceHttpController],
    committerJobs: [EnvelopeExpiryJob],
  },
});
