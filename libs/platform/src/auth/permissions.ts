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
}

/** Roles a user or API key holds within its organisation. */
export const ROLES = ['admin', 'operator', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: [Permission.ReadLedger, Permission.SubmitTransaction, Permission.ReadOrganizations, Permission.ManageUsers, Permission.ManageApiKeys, Permission.ReadAudit, Permission.ManageWebhooks],
  operator: [Permission.ReadLedger, Permission.SubmitTransaction, Permission.ReadOrganizations],
  auditor: [Permission.ReadLedger, Permission.ReadOrganizations, Permission.ReadAudit],
  viewer: [Permission.ReadOrganizations],
};

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>([Permission.Public, Permission.Authenticated]);
  for (const r of roles) if (isRole(r)) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}
