import { CreateIdentityAndAuditTables1795262400000 } from './1795262400000-CreateIdentityAndAuditTables.js';
import { CreateJobOutbox1795348800000 } from './1795348800000-CreateJobOutbox.js';
import { CreateNodeCommitter1795438800000 } from './1795438800000-CreateNodeCommitter.js';
import { CreateNotaryReadModels1795435200000 } from './1795435200000-CreateNotaryReadModels.js';
import { CreateEvidenceReadModels1795525200000 } from './1795525200000-CreateEvidenceReadModels.js';
import { StoreEvidenceRecordsInline1796000000000 } from './1796000000000-StoreEvidenceRecordsInline.js';
import { KeepAnchoredMetadataInTheLog1796100000000 } from './1796100000000-KeepAnchoredMetadataInTheLog.js';
import { CreateWebhookEndpoints1795601400000 } from './1795601400000-CreateWebhookEndpoints.js';
import { AddJobOutboxRunAt1795601500000 } from './1795601500000-AddJobOutboxRunAt.js';
import { CreateLendingReadModels1795700000000 } from './1795700000000-CreateLendingReadModels.js';
import { AddLendingLoanPageIndexes1795800000000 } from './1795800000000-AddLendingLoanPageIndexes.js';
import { SealWebhookEndpointSecrets1795900000000 } from './1795900000000-SealWebhookEndpointSecrets.js';
import { CreateWebhookDeliveries1795900100000 } from './1795900100000-CreateWebhookDeliveries.js';

export { setWebhookSecretSealer, type WebhookSecretSealer } from './webhook-secret-sealer.js';

/**
 * One timeline for the whole node (append, never edit), grouped by the module that owns the
 * tables: each module's definition lists its group, and the node applies them all by timestamp.
 */

/** libs/platform: identity, audit, the job outbox (and its not-before time), webhook endpoints (secrets sealed) and their delivery log. */
export const PLATFORM_MIGRATIONS = [
  CreateIdentityAndAuditTables1795262400000,
  CreateJobOutbox1795348800000,
  CreateNodeCommitter1795438800000,
  CreateWebhookEndpoints1795601400000,
  AddJobOutboxRunAt1795601500000,
  SealWebhookEndpointSecrets1795900000000,
  CreateWebhookDeliveries1795900100000,
];

/** The notary sample module's read models. */
export const NOTARY_MIGRATIONS = [CreateNotaryReadModels1795435200000];

/** The evidence module's read models and custody of originals (records stored inline up to a page; anchored metadata kept in the log only). */
export const EVIDENCE_MIGRATIONS = [CreateEvidenceReadModels1795525200000, StoreEvidenceRecordsInline1796000000000, KeepAnchoredMetadataInTheLog1796100000000];

/** The lending module's read models, supervisory figures, reconciliations and terminal users. */
export const LENDING_MIGRATIONS = [CreateLendingReadModels1795700000000, AddLendingLoanPageIndexes1795800000000];
