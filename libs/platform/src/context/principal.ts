import { unauthenticated, type AppError } from '../graphql/errors.js';

/** Who is calling: a logged-in user or an organisation's API key (a machine). */
export interface Principal {
  kind: 'user' | 'apiKey';
  id: string;
  org: string;
  roles: string[];
  /** For a user, the login name; for an API key, its name. */
  name: string;
  /** Keystore entry of the signing key the node uses on this principal's behalf. */
  signingKey: string;
}

/** The explicit request context every resolver and service receives (never a global). */
export interface RequestContext {
  principal?: Principal;
  /** Why credentials that were presented were refused (a bad token is not the same as none). */
  authError?: AppError;
  /** Client address, for rate limits of anonymous callers. */
  ip: string;
  requestId: string;
}

/** The GraphQL context object: Nest's `req` plus ours. */
export interface GraphQLContext {
  zizhu: RequestContext;
  req?: unknown;
}

/** The caller, or UNAUTHENTICATED (with the reason its credentials were refused, if any). */
export function requirePrincipal(ctx: RequestContext): Principal {
  if (!ctx.principal) throw ctx.authError ?? unauthenticated();
  return ctx.principal;
}
