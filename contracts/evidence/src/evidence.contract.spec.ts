import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { TransactionRefused, buildEvidenceCertificate, signTransaction, verifyEvidenceCertificate } from '@zizhu/chain';
import { Ed25519Signer, decryptJson, generateEd25519, sha256Hex, toBase64 } from '@zizhu/crypto';
import { contractFixture } from '../../../test/support/contract-fixture.js';
import { EvidenceContract, type EvidenceDigest, type EvidenceRecord, type EvidenceStatus, type FlowRecord, type SealedJwe, type SigningEnvelope } from './evidence.contract.js';

const MINUTE = 60_000;

describe('EvidenceContract on the engine over PostgreSQL', () => {
  /** The chain's clock: block times and transaction timestamps; tests move it forward. */
  let now = Date.now();
  const engine = contractFixture({
    database: 'zizhu_evidence',
    contract: EvidenceContract,
    orgs: [
      { id: 'issuer-a', name: 'Issuer A', kind: 'ISSUER' },
      { id: 'bank-a', name: 'Bank A', kind: 'BANK' },
      { id: 'platform-a', name: 'Platform A', kind: 'PLATFORM' },
      { id: 'platform-b', name: 'Platform B', kind: 'PLATFORM' },
      { id: 'regulator', name: 'Regulator', kind: 'REGULATOR' },
    ],
    clock: () => now,
  });
  const { send, ok, reverts, read } = engine;
  let issuer: Ed25519Signer;
  let bank: Ed25519Signer;
  let platformA: Ed25519Signer;
  let platformB: Ed25519Signer;
  let regulator: Ed25519Signer;
  /** A user key platform-a's admin registers on the system channel. */
  let clerkA: Ed25519Signer;

  beforeAll(async () => {
    await engine.open();
    [issuer, bank, platformA, platformB, regulator] = ['issuer-a', 'bank-a', 'platform-a', 'platform-b', 'regulator'].map(engine.admin);
    clerkA = new Ed25519Signer(generateEd25519().privateKey);
    const reg = await engine.chain.submit(
      signTransaction({ channel: 'system', contract: 'system', method: 'registerKey', args: { publicKey: toBase64(clerkA.publicKey), roles: ['clerk'] }, ts: now }, platformA),
    );
    expect(reg.status).toBe('COMMITTED');
  });

  afterAll(() => engine.close());

  const keyId = (s: Ed25519Signer) => sha256Hex(Buffer.from([1]), s.publicKey);
  const seal = async (holder: string, metadata: Record<string, string>, issuerOrg = 'issuer-a'): Promise<SealedJwe> =>
    (await engine.sealFor([issuerOrg, holder, 'regulator'], { holder, ...metadata })) as unknown as SealedJwe;
  const newDigest = (): EvidenceDigest => ({ alg: 'sha256', value: randomBytes(32).toString('hex') });
  const anchorArgs = async (type = 'E_CONTRACT', digest = newDigest(), holder = 'platform-a') => ({ digest, type, holder, sealed: await seal(holder, { title: 'contract', amount: '125000' }) });
  const anchor = async (signer = issuer, type = 'E_CONTRACT') => {
    const args = await anchorArgs(type);
    const r = await ok(signer, 'anchor', args);
    return { id: (r.value as { id: string }).id, args, receipt: r };
  };
  const timeline = async (id: string) => (await engine.store.scanState('evidence', `tl/${id}/`)).map(([, v]) => JSON.parse(v) as FlowRecord);

  describe('anchor', () => {
    it('records the digest under a deterministic id, issuer = sender org, with a timeline entry and an Anchored event', async () => {
      const document = Buffer.from('sales slip #1 for 125.00 CNY');
      const digest: EvidenceDigest = { alg: 'sha256', value: sha256Hex(document) };
      const args = { ...(await anchorArgs('SALES_SLIP', digest)) };
      const r = await ok(issuer, 'anchor', args);
      const id = EvidenceContract.evidenceId('issuer-a', digest);
      expect(r.value).toEqual({ id, created: true, status: 'ACTIVE', version: 1, tx: r.hash, height: r.height, recordedAt: expect.any(Number) });
      expect(r.events).toEqual([
        { type: 'Anchored', data: { id, issuer: 'issuer-a', holder: 'platform-a', type: 'SALES_SLIP', digest, version: 1, replaces: null } },
      ]);
      const record = await read<EvidenceRecord>(`ev/${id}`);
      expect(record).toMatchObject({ id, digest, type: 'SALES_SLIP', issuer: 'issuer-a', holder: 'platform-a', version: 1, replaces: null, tx: r.hash, anchoredBy: keyId(issuer) });
      expect(await read<EvidenceStatus>(`evs/${id}`)).toEqual({ status: 'ACTIVE', holder: 'platform-a', replacedBy: null, revokedAt: null, revokeReason: null, flows: 1 });
      expect(await timeline(id)).toEqual([expect.objectContaining({ seq: 1, action: 'ANCHORED', org: 'issuer-a', tx: r.hash })]);
      // The sealed metadata stays in the log (the anchoring transaction), not in state; it opens
      // for the holder and the regulator, not for another organisation.
      expect(record).not.toHaveProperty('sealed');
      const sealed = (await engine.chain.transaction(r.hash))!.signed.envelope.args.sealed;
      expect(sealed).toEqual(args.sealed);
      const holderKey = { kid: 'platform-a', privateKey: engine.keystore.x25519PrivateKey('platform-a/encryption') };
      await expect(decryptJson(sealed as never, holderKey)).resolves.toMatchObject({ holder: 'platform-a', amount: '125000' });
      await expect(decryptJson(sealed as never, { kid: 'platform-b', privateKey: engine.keystore.x25519PrivateKey('platform-b/encryption') })).rejects.toThrow();

      // A certificate from the committed transaction verifies offline against the node's key, with the document.
      const cert = buildEvidenceCertificate({
        evidence: { id, digest, type: record!.type, issuer: record!.issuer, recordedAt: record!.recordedAt },
        transaction: (await engine.chain.transaction(r.hash))!,
        inclusion: await engine.chain.inclusionProof('evidence', r.hash),
        checkpoint: engine.chain.checkpoint('evidence'),
        verifierKeys: [engine.chain.verifierKey],
      });
      expect(verifyEvidenceCertificate(JSON.parse(JSON.stringify(cert)), [engine.chain.verifierKey], document)).toMatchObject({ ok: true, documentChecked: true });
      expect(verifyEvidenceCertificate(cert, [engine.chain.verifierKey], Buffer.concat([document, Buffer.from(' ')]))).toMatchObject({ ok: false, failed: 'DOCUMENT' });
    });

    it('the same issuer anchoring the same digest again gets the existing record back, never a duplicate', async () => {
      const { id, args, receipt } = await anchor();
      const again = await ok(issuer, 'anchor', { ...args, holder: 'platform-b', type: 'E_CONTRACT' });
      expect(again.value).toEqual({ id, created: false, status: 'ACTIVE', version: 1, tx: receipt.hash, height: receipt.height, recordedAt: (receipt.value as { recordedAt: number }).recordedAt });
      expect(again.events).toEqual([]);
      expect(await read<EvidenceStatus>(`evs/${id}`)).toMatchObject({ holder: 'platform-a', flows: 1 });
      // Another issuer anchoring the same digest makes its own record.
      const other = await ok(bank, 'anchor', { ...args, sealed: await seal('platform-a', { title: 'contract' }, 'bank-a') });
      expect(other.value).toMatchObject({ id: EvidenceContract.evidenceId('bank-a', args.digest), created: true });
      expect((other.value as { id: string }).id).not.toBe(id);
      // The same value under SM3 is another digest.
      const sm3 = await ok(issuer, 'anchor', { ...args, digest: { alg: 'sm3', value: args.digest.value } });
      expect(sm3.value).toMatchObject({ created: true });
    });

    it('only ISSUER and BANK organisations may anchor (refused before ordering)', async () => {
      const args = await anchorArgs();
      await expect(send(platformA, 'anchor', args)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(send(regulator, 'anchor', args)).rejects.toBeInstanceOf(TransactionRefused);
      await expect(send(issuer, 'anchor', { ...args, digest: { alg: 'md5', value: args.digest.value } })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      await expect(send(issuer, 'anchor', { ...args, digest: args.digest.value })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    });

    it('REVERTs sealed metadata the issuer or the holder could not open (NOT_SEALED_FOR)', async () => {
      const args = await anchorArgs('INVOICE', newDigest(), 'platform-b');
      await reverts('NOT_SEALED_FOR', issuer, 'anchor', { ...args, sealed: await seal('platform-a', { title: 'for someone else' }) });
      const onlyHolder = (await engine.sealFor(['platform-b'], { title: 'x' })) as unknown as SealedJwe;
      await reverts('NOT_SEALED_FOR', issuer, 'anchor', { ...args, sealed: onlyHolder });
    });

    it('REVERTs sealed metadata larger than the contract keeps (SEALED_TOO_LARGE)', async () => {
      const args = await anchorArgs();
      args.sealed.ciphertext = 'A'.repeat(65_000);
      args.sealed.recipients = Array.from({ length: 4 }, () => ({ encrypted_key: 'B'.repeat(200) }));
      await reverts('SEALED_TOO_LARGE', issuer, 'anchor', args);
    });
  });

  describe('flow records', () => {
    it('view and download by any member are events and timeline entries; unknown evidence REVERTs', async () => {
      const { id } = await anchor();
      const v = await ok(regulator, 'view', { id });
      expect(v.value).toEqual({ id, seq: 2 });
      expect(v.events).toEqual([{ type: 'Viewed', data: { id, org: 'regulator', keyId: keyId(regulator) } }]);
      const d = await ok(clerkA, 'download', { id });
      expect(d.events).toEqual([{ type: 'Downloaded', data: { id, org: 'platform-a', keyId: keyId(clerkA) } }]);
      expect((await timeline(id)).map((t) => [t.seq, t.action, t.org])).toEqual([
        [1, 'ANCHORED', 'issuer-a'],
        [2, 'VIEWED', 'regulator'],
        [3, 'DOWNLOADED', 'platform-a'],
      ]);
      await reverts('EVIDENCE_NOT_FOUND', regulator, 'view', { id: sha256Hex('nothing') });
      await reverts('EVIDENCE_NOT_FOUND', regulator, 'download', { id: sha256Hex('nothing') });
    });

    it('viewMany records a page read in one transaction: a VIEWED flow and a Viewed event per record; an unknown id REVERTs them all', async () => {
      const ids = [(await anchor()).id, (await anchor()).id, (await anchor()).id];
      await ok(regulator, 'view', { id: ids[1] });
      const r = await ok(platformA, 'viewMany', { ids });
      expect(r.value).toEqual({ views: [{ id: ids[0], seq: 2 }, { id: ids[1], seq: 3 }, { id: ids[2], seq: 2 }] });
      expect(r.events).toEqual(ids.map((id) => ({ type: 'Viewed', data: { id, org: 'platform-a', keyId: keyId(platformA) } })));
      for (const id of ids) expect((await timeline(id)).filter((f) => f.tx === r.hash)).toEqual([expect.objectContaining({ action: 'VIEWED', org: 'platform-a' })]);
      expect(await read<EvidenceStatus>(`evs/${ids[1]}`)).toMatchObject({ flows: 3 });

      await reverts('EVIDENCE_NOT_FOUND', platformA, 'viewMany', { ids: [ids[0], sha256Hex('nothing')] });
      await expect(send(platformA, 'viewMany', { ids: [ids[0], ids[0]] })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      await expect(send(platformA, 'viewMany', { ids: [] })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      const tooMany = Array.from({ length: EvidenceContract.MAX_VIEWS + 1 }, (_, i) => sha256Hex(`record ${i}`));
      await expect(send(platformA, 'viewMany', { ids: tooMany })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    });

    it('transferHolding by the issuer or the current holder only, with the metadata sealed again for the new holder', async () => {
      const { id } = await anchor();
      const before = await read<EvidenceRecord>(`ev/${id}`);
      const forB = await seal('platform-b', { title: 'contract', amount: '125000' });
      const forA = await seal('platform-a', { title: 'contract', amount: '125000' });
      await reverts('NOT_ISSUER_OR_HOLDER', platformB, 'transferHolding', { id, to: 'platform-b', sealed: forB });
      await reverts('SAME_HOLDER', issuer, 'transferHolding', { id, to: 'platform-a', sealed: forA });
      // The new holder must be able to open what it now holds.
      await reverts('NOT_SEALED_FOR', clerkA, 'transferHolding', { id, to: 'platform-b', sealed: forA });
      await expect(send(clerkA, 'transferHolding', { id, to: 'platform-b' })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      const t = await ok(clerkA, 'transferHolding', { id, to: 'platform-b', sealed: forB });
      expect(t.events).toEqual([{ type: 'HoldingTransferred', data: { id, from: 'platform-a', to: 'platform-b' } }]);
      expect(await read<SealedJwe>(`evm/${id}`)).toEqual(forB);
      expect(await read<EvidenceRecord>(`ev/${id}`)).toEqual(before);
      await expect(decryptJson(forB as never, { kid: 'platform-b', privateKey: engine.keystore.x25519PrivateKey('platform-b/encryption') })).resolves.toMatchObject({ holder: 'platform-b' });
      await reverts('NOT_ISSUER_OR_HOLDER', platformA, 'transferHolding', { id, to: 'platform-a', sealed: forA });
      await ok(platformB, 'transferHolding', { id, to: 'platform-a', sealed: forA });
      expect(await read<EvidenceStatus>(`evs/${id}`)).toMatchObject({ holder: 'platform-a' });
      expect(await read<SealedJwe>(`evm/${id}`)).toEqual(forA);
      await reverts('EVIDENCE_NOT_FOUND', issuer, 'transferHolding', { id: sha256Hex('nothing'), to: 'platform-b', sealed: forB });
    });

    it('amend anchors a new version pointing to the replaced one, which becomes AMENDED and keeps its content', async () => {
      const { id: v1 } = await anchor(issuer, 'INVOICE');
      const before = await read<EvidenceRecord>(`ev/${v1}`);
      const amendment = { ...(await anchorArgs('INVOICE')), replaces: v1 };
      await reverts('NOT_ISSUER', bank, 'anchor', { ...amendment, sealed: await seal('platform-a', { title: 'contract' }, 'bank-a') });
      await reverts('TYPE_MISMATCH', issuer, 'anchor', { ...amendment, type: 'RECEIPT' });
      await reverts('EVIDENCE_NOT_FOUND', issuer, 'anchor', { ...amendment, replaces: sha256Hex('nothing') });
      const r = await ok(issuer, 'anchor', amendment);
      const v2 = (r.value as { id: string }).id;
      expect(r.value).toMatchObject({ created: true, version: 2 });
      expect(r.events.map((e) => e.type)).toEqual(['Amended', 'Anchored']);
      expect(r.events[0].data).toEqual({ id: v1, replacedBy: v2, version: 2 });
      expect(await read<EvidenceRecord>(`ev/${v1}`)).toEqual(before);
      expect(await read<EvidenceStatus>(`evs/${v1}`)).toMatchObject({ status: 'AMENDED', replacedBy: v2 });
      expect(await read<EvidenceRecord>(`ev/${v2}`)).toMatchObject({ replaces: v1, version: 2 });
      expect((await timeline(v1)).map((t) => t.action)).toEqual(['ANCHORED', 'AMENDED']);
      // A superseded version can be amended, transferred or revoked no more.
      await reverts('EVIDENCE_SUPERSEDED', issuer, 'anchor', { ...(await anchorArgs('INVOICE')), replaces: v1 });
      await reverts('EVIDENCE_SUPERSEDED', issuer, 'revoke', { id: v1, reason: 'wrong version' });
      await reverts('EVIDENCE_SUPERSEDED', issuer, 'transferHolding', { id: v1, to: 'platform-b', sealed: await seal('platform-b', {}) });
      // A third version chains on.
      const v3 = await ok(issuer, 'anchor', { ...(await anchorArgs('INVOICE')), replaces: v2 });
      expect(v3.value).toMatchObject({ version: 3 });
    });

    it('revoke by the issuer sets REVOKED and keeps the record; nothing else may touch it', async () => {
      const { id } = await anchor();
      await reverts('NOT_ISSUER', platformA, 'revoke', { id, reason: 'not mine to revoke' });
      const r = await ok(issuer, 'revoke', { id, reason: 'issued in error' });
      expect(r.events).toEqual([{ type: 'Revoked', data: { id, reason: 'issued in error' } }]);
      expect(await read<EvidenceStatus>(`evs/${id}`)).toMatchObject({ status: 'REVOKED', revokedAt: expect.any(Number), revokeReason: 'issued in error' });
      expect(await read<EvidenceRecord>(`ev/${id}`)).toMatchObject({ id });
      await reverts('ALREADY_REVOKED', issuer, 'revoke', { id, reason: 'again' });
      await reverts('EVIDENCE_REVOKED', issuer, 'transferHolding', { id, to: 'platform-b', sealed: await seal('platform-b', {}) });
      await reverts('EVIDENCE_REVOKED', issuer, 'anchor', { ...(await anchorArgs()), replaces: id });
      await reverts('EVIDENCE_REVOKED', issuer, 'createEnvelope', { evidenceId: id, recipients: [{ org: 'platform-a', keyId: keyId(clerkA), routingOrder: 1 }], expiresAt: now + MINUTE });
      await reverts('EVIDENCE_NOT_FOUND', issuer, 'revoke', { id: sha256Hex('nothing'), reason: 'x' });
      // Views of a revoked record are still recorded.
      await ok(regulator, 'view', { id });
    });
  });

  describe('ordered signing envelopes', () => {
    /** A = clerk of platform-a (order 1), B = platform-b admin and C = bank-a admin (order 2). */
    const recipients = () => [
      { org: 'platform-a', keyId: keyId(clerkA), routingOrder: 1 },
      { org: 'platform-b', keyId: keyId(platformB), routingOrder: 2 },
      { org: 'bank-a', keyId: keyId(bank), routingOrder: 2 },
    ];
    const signature = (signer: Ed25519Signer, envelopeId: string, evidenceId: string, digest: EvidenceDigest) => ({
      envelopeId,
      publicKey: toBase64(signer.publicKey),
      signature: toBase64(signer.sign(EvidenceContract.signingMessage(envelopeId, evidenceId, digest))),
    });
    const envelopeOf = (id: string) => read<SigningEnvelope>(`env/${id}`);
    const statuses = async (id: string) => {
      const env = (await envelopeOf(id))!;
      return [env.status, ...env.recipients.map((r) => r.status)];
    };
    async function sentEnvelope(expiresAt = now + 10 * MINUTE) {
      const { id: evidenceId, args } = await anchor();
      const c = await ok(issuer, 'createEnvelope', { evidenceId, recipients: recipients(), expiresAt });
      const envelopeId = (c.value as { envelopeId: string }).envelopeId;
      await ok(issuer, 'sendEnvelope', { envelopeId });
      const sig = (signer: Ed25519Signer) => signature(signer, envelopeId, evidenceId, args.digest);
      return { evidenceId, envelopeId, digest: args.digest, sig };
    }

    it('createEnvelope REVERTs for a non-contract, a non-party, a past expiry, duplicate keys, unknown evidence', async () => {
      const { id: slip } = await anchor(issuer, 'SALES_SLIP');
      const { id } = await anchor();
      const base = { evidenceId: id, recipients: recipients(), expiresAt: now + MINUTE };
      await reverts('NOT_AN_E_CONTRACT', issuer, 'createEnvelope', { ...base, evidenceId: slip });
      await reverts('NOT_A_PARTY', platformB, 'createEnvelope', base);
      await reverts('EXPIRY_IN_PAST', issuer, 'createEnvelope', { ...base, expiresAt: now });
      await reverts('DUPLICATE_RECIPIENT', issuer, 'createEnvelope', { ...base, recipients: [...recipients(), { org: 'bank-a', keyId: keyId(bank), routingOrder: 3 }] });
      await reverts('EVIDENCE_NOT_FOUND', issuer, 'createEnvelope', { ...base, evidenceId: sha256Hex('nothing') });
      // The holder may send it for signing too.
      const c = await ok(platformA, 'createEnvelope', base);
      expect(c.value).toEqual({ envelopeId: c.hash, status: 'CREATED' });
      expect(c.events[0]).toEqual({
        type: 'EnvelopeCreated',
        data: { envelopeId: c.hash, evidenceId: id, sender: { org: 'platform-a', keyId: keyId(platformA) }, recipients: recipients(), expiresAt: base.expiresAt },
      });
    });

    it('routing 1, 2, 2: B cannot sign before A; then B and C sign in parallel; completion is COMPLETED', async () => {
      const { evidenceId, envelopeId, digest, sig } = await sentEnvelope();
      expect(await statuses(envelopeId)).toEqual(['SENT', 'SENT', 'CREATED', 'CREATED']);
      await reverts('OUT_OF_ORDER', platformB, 'signEnvelope', sig(platformB));
      await reverts('OUT_OF_ORDER', bank, 'openEnvelope', { envelopeId });
      await reverts('NOT_A_RECIPIENT', regulator, 'signEnvelope', sig(regulator));
      // platform-a's admin is of the right organisation but not the named key.
      await reverts('NOT_A_RECIPIENT', platformA, 'signEnvelope', sig(platformA));
      await reverts('KEY_MISMATCH', clerkA, 'signEnvelope', { ...sig(clerkA), publicKey: toBase64(platformA.publicKey) });
      await reverts('BAD_SIGNATURE', clerkA, 'signEnvelope', { ...sig(clerkA), signature: sig(platformA).signature });
      await reverts('BAD_SIGNATURE', clerkA, 'signEnvelope', signature(clerkA, envelopeId, evidenceId, { alg: 'sha256', value: sha256Hex('another document') }));

      const opened = await ok(clerkA, 'openEnvelope', { envelopeId });
      expect(opened.value).toEqual({ envelopeId, status: 'DELIVERED', recipientStatus: 'DELIVERED' });
      await reverts('ALREADY_DELIVERED', clerkA, 'openEnvelope', { envelopeId });
      const a = await ok(clerkA, 'signEnvelope', sig(clerkA));
      expect(a.value).toEqual({ envelopeId, status: 'SIGNED', completed: false });
      expect(a.events).toEqual([
        {
          type: 'EnvelopeSigned',
          data: { envelopeId, evidenceId, org: 'platform-a', keyId: keyId(clerkA), routingOrder: 1, signature: sig(clerkA).signature, next: [keyId(platformB), keyId(bank)] },
        },
      ]);
      expect(await statuses(envelopeId)).toEqual(['SIGNED', 'SIGNED', 'SENT', 'SENT']);
      await reverts('ALREADY_SIGNED', clerkA, 'signEnvelope', sig(clerkA));

      // B and C in parallel, submitted concurrently.
      const [b, c] = await Promise.all([send(platformB, 'signEnvelope', sig(platformB)), send(bank, 'signEnvelope', sig(bank))]);
      expect([b.status, c.status]).toEqual(['COMMITTED', 'COMMITTED']);
      const last = [b, c].find((r) => (r.value as { completed: boolean }).completed)!;
      expect(last.events.map((e) => e.type)).toEqual(['EnvelopeSigned', 'EnvelopeCompleted']);
      expect(last.events[1].data).toEqual({ envelopeId, evidenceId, digest });
      expect(await statuses(envelopeId)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
      const env = (await envelopeOf(envelopeId))!;
      expect(env.recipients.map((r) => r.signature)).toEqual([sig(clerkA).signature, sig(platformB).signature, sig(bank).signature]);
      expect(env.completedAt).toEqual(expect.any(Number));
      expect((await timeline(evidenceId)).map((t) => t.action)).toEqual([
        'ANCHORED',
        'ENVELOPE_CREATED',
        'ENVELOPE_SENT',
        'ENVELOPE_DELIVERED',
        'SIGNED',
        'SIGNED',
        'SIGNED',
        'ENVELOPE_COMPLETED',
      ]);
      await reverts('ENVELOPE_COMPLETED', bank, 'signEnvelope', sig(bank));
      await reverts('ENVELOPE_COMPLETED', issuer, 'voidEnvelope', { envelopeId, reason: 'too late' });
      await reverts('ENVELOPE_COMPLETED', regulator, 'expireEnvelope', { envelopeId });
    });

    it('a draft cannot be signed; only the sender sends it, once', async () => {
      const { id: evidenceId, args } = await anchor();
      const c = await ok(issuer, 'createEnvelope', { evidenceId, recipients: recipients(), expiresAt: now + MINUTE });
      const envelopeId = c.hash;
      await reverts('ENVELOPE_NOT_SENT', clerkA, 'signEnvelope', signature(clerkA, envelopeId, evidenceId, args.digest));
      await reverts('NOT_THE_SENDER', platformA, 'sendEnvelope', { envelopeId });
      await ok(issuer, 'sendEnvelope', { envelopeId });
      await reverts('ENVELOPE_ALREADY_SENT', issuer, 'sendEnvelope', { envelopeId });
      await reverts('ENVELOPE_NOT_FOUND', issuer, 'sendEnvelope', { envelopeId: sha256Hex('nothing') });
    });

    it('C declines with a reason: DECLINED on chain, and nobody signs after', async () => {
      const { envelopeId, evidenceId, sig } = await sentEnvelope();
      await reverts('OUT_OF_ORDER', bank, 'declineEnvelope', { envelopeId, reason: 'not yet my turn' });
      await ok(clerkA, 'signEnvelope', sig(clerkA));
      const d = await ok(bank, 'declineEnvelope', { envelopeId, reason: 'the amount is wrong' });
      expect(d.events).toEqual([{ type: 'EnvelopeDeclined', data: { envelopeId, evidenceId, org: 'bank-a', keyId: keyId(bank), reason: 'the amount is wrong' } }]);
      expect(await statuses(envelopeId)).toEqual(['DECLINED', 'SIGNED', 'SENT', 'DECLINED']);
      expect((await envelopeOf(envelopeId))!.recipients[2]).toMatchObject({ declineReason: 'the amount is wrong', declinedAt: expect.any(Number) });
      await reverts('ENVELOPE_DECLINED', platformB, 'signEnvelope', sig(platformB));
      await reverts('ENVELOPE_DECLINED', issuer, 'voidEnvelope', { envelopeId, reason: 'x' });
    });

    it('void by the sender only; nothing after it', async () => {
      const { envelopeId, sig } = await sentEnvelope();
      await ok(clerkA, 'signEnvelope', sig(clerkA));
      await reverts('NOT_THE_SENDER', platformB, 'voidEnvelope', { envelopeId, reason: 'not mine' });
      const v = await ok(issuer, 'voidEnvelope', { envelopeId, reason: 'terms changed' });
      expect(v.value).toEqual({ envelopeId, status: 'VOIDED' });
      expect(await statuses(envelopeId)).toEqual(['VOIDED', 'SIGNED', 'VOIDED', 'VOIDED']);
      await reverts('ENVELOPE_VOIDED', platformB, 'signEnvelope', sig(platformB));
      await reverts('ENVELOPE_VOIDED', bank, 'declineEnvelope', { envelopeId, reason: 'x' });
      await reverts('ENVELOPE_VOIDED', issuer, 'voidEnvelope', { envelopeId, reason: 'again' });
      await reverts('ENVELOPE_VOIDED', regulator, 'expireEnvelope', { envelopeId });
    });

    it('expiry: signing after expiresAt REVERTs; anyone may then mark it EXPIRED', async () => {
      const { envelopeId, sig } = await sentEnvelope(now + 2 * MINUTE);
      await reverts('NOT_EXPIRED', regulator, 'expireEnvelope', { envelopeId });
      now += 2 * MINUTE + 1;
      await reverts('ENVELOPE_EXPIRED', clerkA, 'signEnvelope', sig(clerkA));
      await reverts('ENVELOPE_EXPIRED', issuer, 'voidEnvelope', { envelopeId, reason: 'x' });
      const e = await ok(regulator, 'expireEnvelope', { envelopeId });
      expect(e.events[0].type).toBe('EnvelopeExpired');
      expect(await statuses(envelopeId)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED']);
      await reverts('ENVELOPE_EXPIRED', clerkA, 'signEnvelope', sig(clerkA));
      await reverts('ENVELOPE_EXPIRED', regulator, 'expireEnvelope', { envelopeId });
    });

    it('signing stops when the evidence is revoked meanwhile', async () => {
      const { envelopeId, evidenceId, sig } = await sentEnvelope();
      await ok(issuer, 'revoke', { id: evidenceId, reason: 'withdrawn' });
      await reverts('EVIDENCE_REVOKED', clerkA, 'signEnvelope', sig(clerkA));
      await reverts('EVIDENCE_REVOKED', clerkA, 'openEnvelope', { envelopeId });
    });

    it('a recipient key that is not registered can never sign (refused before ordering)', async () => {
      const stranger = new Ed25519Signer(generateEd25519().privateKey);
      const { id: evidenceId, args } = await anchor();
      const c = await ok(issuer, 'createEnvelope', { evidenceId, recipients: [{ org: 'platform-a', keyId: keyId(stranger), routingOrder: 1 }], expiresAt: now + MINUTE });
      await ok(issuer, 'sendEnvelope', { envelopeId: c.hash });
      await expect(send(stranger, 'signEnvelope', signature(stranger, c.hash, evidenceId, args.digest))).rejects.toMatchObject({ code: 'UNKNOWN_SIGNER' });
    });
  });

  describe('determinism', () => {
    it('replaying the evidence and system channels from genesis reproduces every state root and the live state', async () => {
      const live = await engine.liveDigest();
      for (const channel of ['system', 'evidence']) {
        const report = await engine.replay(channel);
        expect(report.mismatch).toBeUndefined();
        expect(report.ok).toBe(true);
        if (channel === 'evidence') expect(report.stateDigest).toBe(live);
      }
      // Evidence ids depend on issuer and digest only.
      const digest: EvidenceDigest = { alg: 'sha256', value: 'ab'.repeat(32) };
      expect(EvidenceContract.evidenceId('issuer-a', digest)).toBe(EvidenceContract.evidenceId('issuer-a', { ...digest }));
      expect(EvidenceContract.evidenceId('issuer-a', digest)).not.toBe(EvidenceContract.evidenceId('issuer-b', digest));
    });
  });
});
