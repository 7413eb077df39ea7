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
  /** Client address, for rate limits of anonymous callers. */
  ip: string;
  requestId: string;
}
