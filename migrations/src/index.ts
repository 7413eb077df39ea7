import { CreateIdentityAndAuditTables1795262400000 } from './1795262400000-CreateIdentityAndAuditTables.js';
import { CreateJobOutbox1795348800000 } from './1795348800000-CreateJobOutbox.js';

/** Every migration of the node, in the order they apply (one timeline; append, never edit). */
export const NODE_MIGRATIONS = [CreateIdentityAndAuditTables1795262400000, CreateJobOutbox1795348800000];
