import { CreateIdentityAndAuditTables1795262400000 } from './1795262400000-CreateIdentityAndAuditTables.js';
import { CreateJobOutbox1795348800000 } from './1795348800000-CreateJobOutbox.js';
import { CreateNodeCommitter1795438800000 } from './1795438800000-CreateNodeCommitter.js';
import { CreateNotaryReadModels1795435200000 } from './1795435200000-CreateNotaryReadModels.js';
import { CreateEvidenceReadModels1795525200000 } from './1795525200000-CreateEvidenceReadModels.js';

/**
 * One timeline for the whole node (append, never edit), grouped by the module that owns the
 * tables: each module's definition lists its group, and the node applies them all by timestamp.
 */

/** libs/platform: identity, audit, the job outbox. */
export const PLATFORM_MIGRATIONS = [CreateIdentityAndAuditTables1795262400000, CreateJobOutbox1795348800000, CreateNodeCommitter1795438800000];

/** The notary sample module's read models. */
export const NOTARY_MIGRATIONS = [CreateNotaryReadModels1795435200000];

/** The evidence module's read models and custody of originals. */
export const EVIDENCE_MIGRATIONS = [CreateEvidenceReadModels1795525200000];
