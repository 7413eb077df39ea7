import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import { ROLES, isRole, permissionsOf } from '../auth/permissions.js';
import { requirePrincipal, type Principal, type RequestContext } from '../context/principal.js';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../graphql/errors.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TtlCache } from './ttl-cache.js';

export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const API_KEY_FORMAT = /^zk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const API_KEY_ID = /^[0-9a-f]{16}$/;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
// last_used_at is a hint for admins, not an access log: one write per key per minute at most.
const TOUCH_INTERVAL_MS = 60_000;

/** API keys for machines (`zk_<id>_<secret>`): organisation- and role-scoped, revocable, with their own signing key. */
@Injectable()
export class ApiKeysService {
  private readonly cache = new TtlCache<ApiKeyEntity | null>(5_000);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Issues a key in the caller's organisation with at most the caller's roles; the secret is returned once. */
  async issue(ctx: RequestContext, input: { name: string; roles: string[] }): Promise<{ apiKey: ApiKeyEntity; secret: string }> {
    const principal = requirePrincipal(ctx);
    if (!API_KEY_NAME_PATTERN.test(input.name)) throw badInput('name must be 1-64 letters, digits, spaces, ".", "_" or "-"', 'INVALID_NAME');
    const roles = [...new Set(input.roles)];
    if (roles.length === 0 || !roles.every(isRole)) throw badInput(`roles must be one or more of ${ROLES.join(', ')}`, 'INVALID_ROLES');
    // A key may do no more than its issuer: its permissions must be a subset of the issuer's.
    const held = permissionsOf(principal.roles);
    const beyond = [...permissionsOf(roles)].filter((p) => !held.has(p));
    if (beyond.length > 0) throw forbidden(`you cannot grant permissions you do not hold (${beyond.join(', ')})`, 'ROLE_ESCALATION');
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const row = this.apiKeys.create({
      id,
      org: principal.org,
      name: input.name,
      roles,
      secretHash: sha256(secret).toString('hex'),
      status: 'PENDING',
      keyId: null,
      certificate: null,
      createdBy: principal.id,
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.apiKeys.insert(row);
    try {
      const { keyId, certificate } = await this.keys.register({ keyName: `apikey/${id}`, org: principal.org, commonName: input.name, kind: 'machine', roles });
      await this.apiKeys.update({ id }, { keyId, certificate, status: 'ACTIVE' });
      const apiKey = { ...row, keyId, certificate, status: 'ACTIVE' as const };
      await this.audit.record(ctx, { action: 'API_KEY_ISSUED', target: `apikey/${id}`, detail: { name: input.name, roles } });
      return { apiKey, secret: `zk_${id}_${secret}` };
    } catch (e) {
      await this.apiKeys.delete({ id, status: 'PENDING' });
      throw e;
    }
  }

  async revoke(ctx: RequestContext, id: string): Promise<ApiKeyEntity> {
    const principal = requirePrincipal(ctx);
    const key = API_KEY_ID.test(id) ? await this.apiKeys.findOneBy({ id }) : null;
    if (!key) throw notFound(`no API key ${id}`);
    if (key.org !== principal.org) throw forbidden(`API key ${id} belongs to another organisation`, 'OTHER_ORGANIZATION');
    if (key.status === 'REVOKED') throw conflict(`API key ${id} is already revoked`, 'ALREADY_REVOKED');
    if (key.keyId) await this.keys.revoke(key.org, key.keyId, `API key ${key.name} revoked by ${principal.name}`);
    const revokedAt = new Date(this.clock());
    await this.apiKeys.update({ id }, { status: 'REVOKED', revokedAt });
    this.cache.delete(id);
    await this.audit.record(ctx, { action: 'API_KEY_REVOKED', target: `apikey/${id}`, detail: { name: key.name } });
    return { ...key, status: 'REVOKED', revokedAt };
  }

  list(org: string, first: number, afterId?: string): Promise<ApiKeyEntity[]> {
    const qb = this.apiKeys.createQueryBuilder('k').where('k.org = :org', { org }).orderBy('k.id', 'ASC').limit(first);
    if (afterId !== undefined) qb.andWhere('k.id > :after', { after: afterId });
    return qb.getMany();
  }

  /** The principal of a presented API key, or UNAUTHENTICATED. */
  async authenticate(presented: string): Promise<Principal> {
    const m = API_KEY_FORMAT.exec(presented);
    if (!m) throw unauthenticated('the API key is not valid', 'INVALID_API_KEY');
    const [, id, secret] = m;
    let key = this.cache.get(id);
    if (key === undefined) {
      key = await this.apiKeys.findOneBy({ id });
      this.cache.set(id, key);
    }
    const expected = key ? Buffer.from(key.secretHash, 'hex') : Buffer.alloc(32);
    const matches = timingSafeEqual(sha256(secret), expected.length === 32 ? expected : Buffer.alloc(32));
    if (!key || !matches || key.status !== 'ACTIVE') throw unauthenticated('the API key is not valid', 'INVALID_API_KEY');
    const now = this.clock();
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      key.lastUsedAt = new Date(now);
      await this.apiKeys.update({ id }, { lastUsedAt: key.lastUsedAt });
    }
    return { kind: 'apiKey', id: key.id, org: key.org, roles: key.roles, name: key.name, signingKey: `apikey/${key.id}` };
  }
}
