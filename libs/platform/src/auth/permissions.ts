/** What a GraphQL operation may require. Every resolver declares one; none declared means denied. */
export enum Permission {
  /** No login needed (node info, login itself). */
  Public = 'public',
  /** Any logged-in user or API key. */
  Authenticated = 'authenticated',
  ReadLedger = 'ledger:read',
  SubmitTransaction = 'ledger:submit',
  ReadOrganizations = 'organizations:read',
  ManageUsers = 'users:manage',
  ManageApiKeys = 'api-keys:manage',
  ReadAudit = 'audit:read',
  ManageWebhooks = 'webhooks:manage',
  /** Lending, operations layer (staff of platforms, banks, the regulator): listings, customers, custody, supervisory views. */
  ReadLending = 'lending:read',
  /** Lending, operations layer: onboarding, customers, custody instructions, listings, funding, claims, repayments. */
  OperateLending = 'lending:operate',
  /** Lending, terminal layer (a platform's customers): their own profile and notifications. */
  UseLendingTerminal = 'lending:terminal',
  /** Lending, terminal layer: a borrower's own loans, repayment plan and repayments. */
  Borrow = 'lending:borrow',
  /** Lending, terminal layer: a lender's market, bids, portfolio and claim sales. */
  Lend = 'lending:lend',
}

/** Roles a user or API key holds within its organisation: operations roles, then the lending module's terminal roles (a platform's customers). */
export const ROLES = ['admin', 'operator', 'auditor', 'viewer', 'borrower', 'lender'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: [Permission.ReadLedger, Permission.SubmitTransaction, Permission.ReadOrganizations, Permission.ManageUsers, Permission.ManageApiKeys, Permission.ReadAudit, Permission.ManageWebhooks, Permission.ReadLending, Permission.OperateLending],
  operator: [Permission.ReadLedger, Permission.SubmitTransaction, Permission.ReadOrganizations, Permission.ReadLending, Permission.OperateLending],
  auditor: [Permission.ReadLedger, Permission.ReadOrganizations, Permission.ReadAudit, Permission.ReadLending],
  viewer: [Permission.ReadOrganizations],
  borrower: [Permission.UseLendingTerminal, Permission.Borrow],
  lender: [Permission.UseLendingTerminal, Permission.Lend],
};

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>([Permission.Public, Permission.Authenticated]);
  for (const r of roles) if (isRole(r)) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}
