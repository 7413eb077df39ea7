import { registerEnumType } from '@nestjs/graphql';

/** Roles within an organisation (the values are the lowercase role names the ledger records). */
export enum RoleEnum {
  ADMIN = 'admin',
  OPERATOR = 'operator',
  AUDITOR = 'auditor',
  VIEWER = 'viewer',
  /** Lending terminal role: a platform's borrowing customer (linked with linkLendingTerminalUser). */
  BORROWER = 'borrower',
  /** Lending terminal role: a platform's lending customer. */
  LENDER = 'lender',
}

registerEnumType(RoleEnum, { name: 'Role', description: 'A role within an organisation' });

export const toRoles = (roles: readonly string[]): RoleEnum[] => roles.filter((r): r is RoleEnum => (Object.values(RoleEnum) as string[]).includes(r));
