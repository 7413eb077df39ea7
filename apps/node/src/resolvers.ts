import { ApiKeysResolver } from './identity/api-keys.resolver.js';
import { AuditResolver } from './identity/audit.resolver.js';
import { AuthResolver } from './identity/auth.resolver.js';
import { OrganizationsResolver } from './identity/organizations.resolver.js';
import { UsersResolver } from './identity/users.resolver.js';
import { LedgerResolver } from './ledger/ledger.resolver.js';
import { NodeInfoResolver } from './node-info/node-info.resolver.js';
import { NODE } from './node-modules.js';

/** Every resolver of the node's own API (business modules bring theirs in their modules). */
export const NODE_RESOLVERS = [NodeInfoResolver, AuthResolver, UsersResolver, ApiKeysResolver, OrganizationsResolver, AuditResolver, LedgerResolver];

/** Every resolver of the node's GraphQL schema: its own, then its modules'. */
export const SCHEMA_RESOLVERS = [...NODE_RESOLVERS, ...NODE.resolvers];
