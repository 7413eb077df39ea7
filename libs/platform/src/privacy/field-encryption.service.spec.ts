import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DataSource } from 'typeorm';
import { decryptAsRecipient, JweError, type GeneralJWE, type Keystore } from '@zizhu/crypto';
import { createDevConsortium, DEV_ORGS } from '@zizhu/consortium';
import { PLATFORM_MIGRATIONS } from '@zizhu/migrations';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { AuditRecordEntity } from '../audit/audit-record.entity.js';
import { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../context/principal.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { AppError } from '../graphql/errors.js';
import { PLATFORM_ENTITIES } from '../identity/identity.entities.js';
import { FieldEncryptionService, orgEncryptionKeyName, type EncryptionKeyDirectory } from './field-encryption.service.js';

const orgs = DEV_ORGS.filter((o) => ['bank-a', 'regulator', 'platform-a'].includes(o.id));
const as = (org: string, id = `${org}-user`): RequestContext => ({
  ip: '127.0.0.1',
  requestId: `req-${id}`,
  principal: { kind: 'user', id, org, roles: ['auditor'], name: id, signingKey: `user/${id}` },
});
const what = { object: 'sample:doc-1', field: 'holder', purpose: 'review', module: 'sample', aad: 'sample:doc-1' };

describe('FieldEncryptionService', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let keystore: Keystore;
  let service: FieldEncryptionService;
  let jwe: GeneralJWE;
  const audits = (org: string) => ds.getRepository(AuditRecordEntity).find({ where: { org }, order: { id: 'ASC' } });

  beforeAll(async () => {
    db = await createTestDatabase('zizhu_privacy');
    ds = new DataSource(dataSourceOptions(db.url, PLATFORM_ENTITIES, PLATFORM_MIGRATIONS));
    await ds.initialize();
    await ds.runMigrations();
    const consortium = await createDevConsortium({ orgs, scryptN: 1024 });
    keystore = consortium.keystore;
    const keys = new Map(consortium.genesis.orgs.map((o) => [o.id, Buffer.from(o.encryptionKey, 'base64')]));
    const directory: EncryptionKeyDirectory = { encryptionKey: async (org) => keys.get(org) };
    service = new FieldEncryptionService(directory, keystore, new AuditService(ds.getRepository(AuditRecordEntity)));
    jwe = await service.encryptFor(['bank-a', 'regulator', 'bank-a'], { holder: 'Zhang San', amount: '1200' }, { aad: what.aad });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('encrypts one JWE for each recipient organisation once (kid = org id), ECDH-ES+A256KW / A256GCM', () => {
    expect(jwe.recipients?.map((r) => r.header?.kid)).toEqual(['bank-a', 'regulator']);
    expect(JSON.parse(Buffer.from(jwe.protected!, 'base64url').toString())).toEqual({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' });
    expect(JSON.stringify(jwe)).not.toContain('Zhang San');
  });

  it('decrypts for a principal of a recipient organisation, and audits who, which organisation, what, why and the outcome', async () => {
    expect(await service.decryptJson(as('regulator'), jwe, what)).toEqual({ holder: 'Zhang San', amount: '1200' });
    const [record] = await audits('regulator');
    expect(record).toMatchObject({
      org: 'regulator',
      action: 'DECRYPTION',
      actorKind: 'user',
      actorId: 'regulator-user',
      target: 'sample:doc-1',
      requestId: 'req-regulator-user',
      detail: { field: 'holder', purpose: 'review', outcome: 'DECRYPTED', module: 'sample', recipients: ['bank-a', 'regulator'] },
    });
  });

  it('refuses a principal whose organisation is not a recipient with FORBIDDEN, and audits the refusal', async () => {
    const error = await service.decrypt(as('platform-a'), jwe, what).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).extensions).toEqual({ code: 'FORBIDDEN', reason: 'NOT_A_RECIPIENT' });
    expect((await audits('platform-a')).map((r) => r.detail)).toEqual([expect.objectContaining({ outcome: 'DENIED', reason: 'NOT_A_RECIPIENT', purpose: 'review' })]);
  });

  it("cannot be opened with another organisation's private key, even with the recipient header relabelled", async () => {
    const platformKey = keystore.x25519PrivateKey(orgEncryptionKeyName('platform-a'));
    // platform-a's key tried on bank-a's and the regulator's entries.
    for (const kid of ['bank-a', 'regulator']) {
      const e = await decryptAsRecipient(jwe, { kid, privateKey: platformKey }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(JweError);
      expect((e as JweError).code).toBe('DECRYPTION_FAILED');
    }
    // The per-recipient header is not integrity-protected: claiming an entry changes nothing.
    const relabelled: GeneralJWE = { ...jwe, recipients: jwe.recipients!.map((r) => ({ ...r, header: { ...r.header, kid: 'platform-a' } })) };
    const e = await decryptAsRecipient(relabelled, { kid: 'platform-a', privateKey: platformKey }).catch((x: unknown) => x);
    expect((e as JweError).code).toBe('DECRYPTION_FAILED');
    // Through the service: the refusal is cryptographic, and audited as a failure.
    const viaService = await service.decrypt(as('platform-a', 'mallory'), relabelled, what).catch((x: unknown) => x);
    expect((viaService as AppError).extensions).toEqual({ code: 'INTERNAL', reason: 'DECRYPTION_FAILED' });
    expect((await audits('platform-a')).at(-1)).toMatchObject({ actorId: 'mallory', detail: { outcome: 'FAILED', reason: 'DECRYPTION_FAILED' } });
    // The right key opens the original.
    const bankKey = keystore.x25519PrivateKey(orgEncryptionKeyName('bank-a'));
    expect(Buffer.from(await decryptAsRecipient(jwe, { kid: 'bank-a', privateKey: bankKey }, { aad: what.aad })).toString()).toContain('Zhang San');
  });

  it('refuses a JWE moved to another object (its AAD differs), audited as a failure', async () => {
    const e = await service.decrypt(as('bank-a'), jwe, { ...what, object: 'sample:doc-2', aad: 'sample:doc-2' }).catch((x: unknown) => x);
    expect((e as AppError).extensions).toEqual({ code: 'INTERNAL', reason: 'AAD_MISMATCH' });
    expect((await audits('bank-a')).at(-1)).toMatchObject({ target: 'sample:doc-2', detail: { outcome: 'FAILED', reason: 'AAD_MISMATCH' } });
  });

  it('refuses to encrypt for an organisation the consortium does not have, or for nobody', async () => {
    await expect(service.encryptFor(['bank-a', 'nobody'], 'x')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_RECIPIENT' });
    await expect(service.encryptFor([], 'x')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NO_RECIPIENTS' });
  });

  it('needs a principal: an anonymous caller is UNAUTHENTICATED and nothing is decrypted', async () => {
    await expect(service.decrypt({ ip: '::1', requestId: 'r' }, jwe, what)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
