import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ZIZHU_CONFIG } from '../config/config.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { ROLES, isRole } from '../auth/permissions.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { badInput, conflict, forbidden, notFound } from '../graphql/errors.js';
import { hashPassword } from './password-hasher.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TtlCache } from './ttl-cache.js';
import { UserEntity } from './user.entity.js';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Organisation ids, as genesis defines them. */
export const ORG_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export interface NewUser {
  org: string;
  username: string;
  password: string;
  roles: string[];
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isUniqueViolation = (e: unknown) => e instanceof QueryFailedError && (e.driverError as { code?: string } | undefined)?.code === '23505';

/** Users of the organisations this node hosts: creation (with an on-chain key), revocation, lookup. */
@Injectable()
export class UsersService {
  // Revocation is seen by every request within this long (one node process caches it).
  private readonly active = new TtlCache<UserEntity | null>(5_000);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** An admin creates a user in their own organisation. */
  async createUser(ctx: RequestContext, input: Omit<NewUser, 'org'>): Promise<UserEntity> {
    const principal = requirePrincipal(ctx);
    const user = await this.create({ ...input, org: principal.org });
    await this.audit.record(ctx, { action: 'USER_CREATED', target: `user/${user.id}`, detail: { username: user.username, roles: user.roles } });
    return user;
  }

  /**
   * Creates a user: the row first (PENDING, so a taken name fails before anything touches the
   * ledger), then the signing key, its certificate and its registration on chain, then ACTIVE.
   * If the ledger refuses, the row goes again: nothing is left half-made.
   */
  async create(input: NewUser): Promise<UserEntity> {
    if (!USERNAME_PATTERN.test(input.username)) throw badInput('username must be 1-63 lowercase letters, digits, ".", "_" or "-"', 'INVALID_USERNAME');
    if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH) {
      throw badInput(`password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`, 'WEAK_PASSWORD');
    }
    const roles = [...new Set(input.roles)];
    if (roles.length === 0 || !roles.every(isRole)) throw badInput(`roles must be one or more of ${ROLES.join(', ')}`, 'INVALID_ROLES');
    if (!this.keys.hostsOrganization(input.org)) throw forbidden(`this node does not hold the keys of ${input.org}`, 'ORGANIZATION_NOT_HOSTED');
    const row = this.users.create({
      id: randomUUID(),
      org: input.org,
      username: input.username,
      passwordHash: await hashPassword(input.password, this.config.PASSWORD_SCRYPT_N),
      roles,
      status: 'PENDING',
      keyId: null,
      certificate: null,
      revokedAt: null,
    });
    try {
      await this.users.insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`${input.org} already has a user ${input.username}`, 'USERNAME_TAKEN');
      throw e;
    }
    try {
      const { keyId, certificate } = await this.keys.register({ keyName: `user/${row.id}`, org: row.org, commonName: row.username, kind: 'user', roles });
      await this.users.update({ id: row.id }, { keyId, certificate, status: 'ACTIVE' });
      return { ...row, keyId, certificate, status: 'ACTIVE' };
    } catch (e) {
      await this.users.delete({ id: row.id, status: 'PENDING' });
      throw e;
    }
  }

  /** Revokes a user of the caller's organisation: their key on chain, their refresh tokens, their sessions. */
  async revokeUser(ctx: RequestContext, id: string): Promise<UserEntity> {
    const principal = requirePrincipal(ctx);
    const user = UUID_PATTERN.test(id) ? await this.users.findOneBy({ id }) : null;
    if (!user) throw notFound(`no user ${id}`);
    if (user.org !== principal.org) throw forbidden(`user ${id} belongs to another organisation`, 'OTHER_ORGANIZATION');
    if (principal.kind === 'user' && principal.id === id) throw badInput('you cannot revoke yourself', 'CANNOT_REVOKE_SELF');
    if (user.status === 'REVOKED') throw conflict(`user ${id} is already revoked`, 'ALREADY_REVOKED');
    if (user.keyId) await this.keys.revoke(user.org, user.keyId, `user ${user.username} revoked by ${principal.name}`);
    const revokedAt = new Date(this.clock());
    await this.users.update({ id }, { status: 'REVOKED', revokedAt });
    await this.refreshTokens.createQueryBuilder().update().set({ revokedAt }).where('user_id = :id AND revoked_at IS NULL', { id }).execute();
    this.active.delete(id);
    await this.audit.record(ctx, { action: 'USER_REVOKED', target: `user/${id}`, detail: { username: user.username } });
    return { ...user, status: 'REVOKED', revokedAt };
  }

  /** Users of an organisation, by username, after `afterUsername` (exclusive). */
  list(org: string, first: number, afterUsername?: string): Promise<UserEntity[]> {
    const qb = this.users.createQueryBuilder('u').where('u.org = :org', { org }).orderBy('u.username', 'ASC').limit(first);
    if (afterUsername !== undefined) qb.andWhere('u.username > :after', { after: afterUsername });
    return qb.getMany();
  }

  findByLogin(org: string, username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ org, username });
  }

  async findById(id: string): Promise<UserEntity | null> {
    return UUID_PATTERN.test(id) ? this.users.findOneBy({ id }) : null;
  }

  /** The user if ACTIVE (cached for a few seconds: this is asked on every authenticated request). */
  async findActive(id: string): Promise<UserEntity | null> {
    const cached = this.active.get(id);
    if (cached !== undefined) return cached;
    const user = await this.findById(id);
    const active = user && user.status === 'ACTIVE' ? user : null;
    this.active.set(id, active);
    return active;
  }

  async countInOrg(org: string): Promise<number> {
    return this.users.countBy({ org });
  }
}
