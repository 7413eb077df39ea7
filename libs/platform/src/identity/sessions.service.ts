import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { errors as joseErrors, jwtVerify } from 'jose';
import { IsNull, type Repository } from 'typeorm';
import { ed25519PublicKeyObject } from '@zizhu/crypto';
import { AuditService } from '../audit/audit.service.js';
import { ZIZHU_CONFIG } from '../config/config.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import type { Principal, RequestContext } from '../context/principal.js';
import { unauthenticated } from '../graphql/errors.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { UserEntity } from './user.entity.js';
import { TtlCache } from './ttl-cache.js';
import { ORG_ID_PATTERN, USERNAME_PATTERN, UsersService } from './users.service.js';

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserEntity;
}

export interface AccessTokenClaims {
  sub: string;
  org: string;
  roles: string[];
  kind: 'user';
  name: string;
}

const AUDIENCE = 'zizhu-node';
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/**
 * Password login, short-lived access tokens (JWT, EdDSA, signed with the node key) and refresh
 * tokens (random, stored hashed, rotated on every use; a reused one revokes its whole family).
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  private issuer = '';
  private publicKey!: ReturnType<typeof ed25519PublicKeyObject>;
  /**
   * Access tokens whose signature and claims already checked out: a client sends the same token on
   * every request until it expires, and an EdDSA verification costs more than the rest of a small
   * request. Expiry is still checked on every use (against the claims' own `exp`).
   */
  private readonly verified = new TtlCache<AccessTokenClaims & { exp: number }>(60_000, 10_000, () => this.clock());
  /** Compared against when the user does not exist, so that a wrong name costs as much as a wrong password. */
  private dummyHash = '';

  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    private readonly users: UsersService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.issuer = `zizhu/${this.ledger.consortiumId}/${this.ledger.nodeName}`;
    this.publicKey = ed25519PublicKeyObject(this.ledger.keys.publicKey('node'));
    this.dummyHash = await hashPassword(randomBytes(16).toString('hex'), this.config.PASSWORD_SCRYPT_N);
  }

  async login(ctx: RequestContext, input: { organization: string; username: string; password: string }): Promise<Session> {
    // A name no user can have is not looked up (PostgreSQL refuses some, such as NUL bytes).
    const plausible = ORG_ID_PATTERN.test(input.organization) && USERNAME_PATTERN.test(input.username);
    const user = plausible ? await this.users.findByLogin(input.organization, input.username) : null;
    const ok = await verifyPassword(input.password, user?.passwordHash ?? this.dummyHash);
    if (!user || !ok || user.status !== 'ACTIVE') {
      // Filed under the organisation named, when it is one: its auditors see attempts on their users.
      if (user) await this.audit.record(ctx, { action: 'LOGIN_FAILED', org: user.org, target: `user/${user.id}`, detail: { username: user.username, ip: ctx.ip } });
      throw unauthenticated('wrong organisation, username or password', 'INVALID_CREDENTIALS');
    }
    const session = await this.issue(user, randomUUID());
    await this.audit.record(ctx, { action: 'LOGIN_SUCCEEDED', org: user.org, target: `user/${user.id}`, detail: { username: user.username, ip: ctx.ip } });
    return session;
  }

  /** Exchanges a refresh token for a new session; the token presented can never be used again. */
  async refresh(ctx: RequestContext, refreshToken: string): Promise<Session> {
    const row = /^[A-Za-z0-9_-]{43}$/.test(refreshToken) ? await this.refreshTokens.findOneBy({ tokenHash: sha256Hex(refreshToken) }) : null;
    if (!row) throw unauthenticated('unknown refresh token', 'INVALID_REFRESH_TOKEN');
    const now = new Date(this.clock());
    if (row.revokedAt) throw unauthenticated('this refresh token was revoked', 'INVALID_REFRESH_TOKEN');
    // Marking it used is the atomic step: of two concurrent refreshes, one wins and the other is a reuse.
    const claimed = row.usedAt
      ? 0
      : ((await this.refreshTokens.update({ id: row.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now })).affected ?? 0);
    if (claimed === 0) {
      // A used token presented again: stolen or replayed. Revoke everything rotated from that login.
      await this.refreshTokens.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: now });
      const user = await this.users.findById(row.userId);
      if (user) await this.audit.record(ctx, { action: 'REFRESH_TOKEN_REUSED', org: user.org, target: `user/${user.id}`, detail: { family: row.familyId, ip: ctx.ip } });
      throw unauthenticated('this refresh token was already used; log in again', 'REFRESH_TOKEN_REUSED');
    }
    if (row.expiresAt.getTime() <= now.getTime()) throw unauthenticated('this refresh token has expired; log in again', 'REFRESH_TOKEN_EXPIRED');
    const user = await this.users.findActive(row.userId);
    if (!user) throw unauthenticated('this user is no longer active', 'USER_INACTIVE');
    const session = await this.issue(user, row.familyId);
    await this.audit.record(ctx, { action: 'TOKEN_REFRESHED', org: user.org, target: `user/${user.id}`, detail: { family: row.familyId } });
    return session;
  }

  private async issue(user: UserEntity, familyId: string): Promise<Session> {
    const now = this.clock();
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshTokenExpiresAt = new Date(now + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    await this.refreshTokens.insert({ id: randomUUID(), userId: user.id, familyId, tokenHash: sha256Hex(refreshToken), expiresAt: refreshTokenExpiresAt, usedAt: null, revokedAt: null });
    const accessTokenExpiresAt = new Date(now + this.config.ACCESS_TOKEN_TTL_SECONDS * 1000);
    const claims: AccessTokenClaims = { sub: user.id, org: user.org, roles: user.roles, kind: 'user', name: user.username };
    return { accessToken: this.signJwt(claims, now, accessTokenExpiresAt.getTime()), accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt, user };
  }

  /** Compact JWS by hand: the node key stays inside the keystore's signer, which jose cannot take. */
  private signJwt(claims: AccessTokenClaims, nowMs: number, expMs: number): string {
    const header = { alg: 'EdDSA', typ: 'JWT' };
    const payload = { ...claims, iss: this.issuer, aud: AUDIENCE, iat: Math.floor(nowMs / 1000), exp: Math.floor(expMs / 1000), jti: randomUUID() };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${b64url(this.ledger.keys.signer('node').sign(Buffer.from(input, 'ascii')))}`;
  }

  /** Verifies an access token (signature, issuer, audience, expiry) and that its user is still active. */
  async principalFromAccessToken(token: string): Promise<Principal> {
    let claims: (AccessTokenClaims & { exp?: number }) | undefined = this.verified.get(token);
    if (claims?.exp !== undefined && claims.exp * 1000 <= this.clock()) {
      this.verified.delete(token);
      throw unauthenticated('the access token has expired; refresh it', 'TOKEN_EXPIRED');
    }
    if (!claims) {
      try {
        const { payload } = await jwtVerify(token, this.publicKey, {
          algorithms: ['EdDSA'],
          issuer: this.issuer,
          audience: AUDIENCE,
          currentDate: new Date(this.clock()),
        });
        claims = payload as unknown as AccessTokenClaims;
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired) throw unauthenticated('the access token has expired; refresh it', 'TOKEN_EXPIRED');
        throw unauthenticated('the access token is not valid', 'INVALID_TOKEN');
      }
      if (typeof claims.exp === 'number') this.verified.set(token, { ...claims, exp: claims.exp });
    }
    if (claims.kind !== 'user' || typeof claims.sub !== 'string' || !Array.isArray(claims.roles)) throw unauthenticated('the access token is not valid', 'INVALID_TOKEN');
    const user = await this.users.findActive(claims.sub);
    if (!user) throw unauthenticated('this user is no longer active', 'USER_INACTIVE');
    // Roles and organisation come from the database, so a change applies at once, not at the next login.
    return { kind: 'user', id: user.id, org: user.org, roles: user.roles, name: user.username, signingKey: `user/${user.id}` };
  }
}
