import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { buildEvidenceCertificate, keyIdOf, parseCheckpoint, type EvidenceCertificate, type JsonValue, type StoredTx } from '@zizhu/chain';
import { EvidenceContract, type DigestAlg, type EvidenceDigest } from '@zizhu/contract-evidence';
import { toBase64, type JweRecipient } from '@zizhu/crypto';
import {
  AppError,
  CLOCK,
  FieldEncryptionService,
  LedgerService,
  OrganizationDirectory,
  RequestBatcher,
  UserEntity,
  badInput,
  committed,
  conflict,
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  perRequest,
  requirePrincipal,
  startInSlices,
  toConnection,
  type BatchResults,
  type Clock,
  type Connection,
  type Principal,
  type RequestContext,
} from '@zizhu/platform';
import type { Repository } from 'typeorm';
import type { AnchorEvidenceInput, CreateSigningEnvelopeInput, EvidenceRecordsArgs } from './dto/evidence.inputs.js';
import { EvidenceEnvelopeEntity } from './entities/evidence-envelope.entity.js';
import { EvidenceFlowEntity } from './entities/evidence-flow.entity.js';
import { EvidenceRecordEntity } from './entities/evidence-record.entity.js';
import {
  EvidenceFlowModel,
  EvidenceRecordModel,
  EvidenceStatusEnum,
  EvidenceTypeEnum,
  type AnchoredEvidenceModel,
  type EvidenceMetadataModel,
  type EvidenceVerificationModel,
  type DigestAlgEnum,
} from './models/evidence-record.model.js';
import { SigningEnvelopeModel } from './models/signing-envelope.model.js';

/** The channel the development consortium opens for the module. */
export const EVIDENCE_CHANNEL = 'evidence';

/** What is sealed (JWE) on chain with each record. */
interface SealedMetadata {
  holderIdentity: string | null;
  title: string | null;
  amount: string | null;
  reference: string | null;
}

/** Binds the sealed metadata to its record: it cannot be passed off as another record's. */
export const metadataAad = (id: string) => `evidence:${id}`;

const CURSOR_POSITION = /^[0-9]{1,16}:[0-9a-f]{64}$/;

/**
 * The evidence use cases: anchoring (one transaction per digest, signed with the caller's key held
 * by this node), reads of the projected records scoped to the caller's organisation (the regulator
 * reads all), metadata decrypted for recipients (audited, recorded on chain as a view), public
 * verification and certificates, signing envelopes, holding transfers and revocations.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly organizations: OrganizationDirectory,
    private readonly encryption: FieldEncryptionService,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectRepository(EvidenceRecordEntity) private readonly records: Repository<EvidenceRecordEntity>,
    @InjectRepository(EvidenceFlowEntity) private readonly flows: Repository<EvidenceFlowEntity>,
    @InjectRepository(EvidenceEnvelopeEntity) private readonly envelopes: Repository<EvidenceEnvelopeEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  // ---- anchoring ----------------------------------------------------------------------------

  async anchor(ctx: RequestContext, input: AnchorEvidenceInput): Promise<AnchoredEvidenceModel> {
    return (await this.anchorAll(await this.issuer(ctx), [input], false))[0];
  }

  /**
   * Each digest its own transaction (individually provable), submitted together so that they share
   * blocks. What the node can check (holders, amendments, sealing) is checked for the whole batch
   * first: a bad item refuses the batch before anything reaches the chain.
   */
  async anchorBatch(ctx: RequestContext, items: AnchorEvidenceInput[]): Promise<AnchoredEvidenceModel[]> {
    return this.anchorAll(await this.issuer(ctx), items, true);
  }

  /** Issuers are organisations of kind ISSUER or BANK (the contract enforces it too; this answers FORBIDDEN first). */
  private async issuer(ctx: RequestContext): Promise<Principal> {
    const principal = requirePrincipal(ctx);
    this.ledger.assertChannelReadable(principal, EVIDENCE_CHANNEL);
    const kind = await this.organizations.kindOf(principal.org);
    if (kind !== 'ISSUER' && kind !== 'BANK') throw forbidden(`${principal.org} is not an issuer (ISSUER or BANK)`, 'NOT_AN_ISSUER');
    return principal;
  }

  private async anchorAll(principal: Principal, items: AnchorEvidenceInput[], batch: boolean): Promise<AnchoredEvidenceModel[]> {
    const ids = items.map((item) => EvidenceContract.evidenceId(principal.org, digestOf(item)));
    // One lookup for the whole batch (re-sent batches are mostly anchored already) and the records it amends.
    const known = await this.rowsById([...ids, ...items.flatMap((item) => (item.replaces ? [item.replaces] : []))]);
    // The first item of each digest not anchored yet: a repeated digest shares its result.
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!known.has(id) && !first.has(id)) first.set(id, i);
    });
    const fresh = [...first.values()];
    const amended = new Map<string, number>();
    for (const i of fresh) {
      const replaces = items[i].replaces;
      if (replaces && amended.has(replaces)) throw itemError(badInput(`evidence ${replaces} is amended by items ${amended.get(replaces)} and ${i}`, 'AMENDED_TWICE'), i);
      if (replaces) amended.set(replaces, i);
    }
    const regulators = await this.organizations.regulators();
    // Whatever can refuse an item is checked for the whole batch before any of it is submitted, so
    // a refused batch anchors nothing.
    const recipientsOf = new Map<string, Promise<JweRecipient[]>>();
    for (const i of fresh) {
      try {
        await this.checkAnchor(principal, items[i], known, regulators, recipientsOf);
      } catch (e) {
        throw batch ? itemError(e, i) : e;
      }
    }
    // A batch's JWEs share one ephemeral key per recipient organisation (each JWE its own apu).
    const sealing = fresh.length > 1 ? this.ledger.openSealingBatch() : undefined;
    // Sealed, signed and submitted slice by slice: the first blocks fill while the rest of the batch
    // is still being sealed, and a 10,000-item batch does not hold the event loop (the committer's
    // database replies, other requests) for the seconds it takes.
    let settled: PromiseSettledResult<AnchoredEvidenceModel>[];
    try {
      settled = await startInSlices(fresh, async (i) => this.submitAnchor(principal, ids[i], items[i], await recipientsOf.get(items[i].holder)!, sealing));
    } finally {
      if (sealing) this.ledger.closeSealingBatch(sealing);
    }
    const failed = settled.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      const e = (settled[failed] as PromiseRejectedResult).reason as Error;
      const done = new Set(fresh.filter((_, k) => settled[k].status === 'fulfilled').map((i) => ids[i]));
      const anchored = ids.filter((id) => known.has(id) || done.has(id)).length;
      // Anchoring is idempotent per issuer and digest: sending the batch again anchors only what is missing.
      if (e instanceof AppError && batch) throw new AppError(e.code, `item ${fresh[failed]}: ${e.message} (${anchored} of ${items.length} were anchored; send the batch again to finish it)`, e.reason);
      throw e;
    }
    const created = new Map(fresh.map((i, k) => [ids[i], (settled[k] as PromiseFulfilledResult<AnchoredEvidenceModel>).value]));
    return ids.map((id, i) => {
      const row = known.get(id);
      if (row) return anchoredFrom(row, false);
      const result = created.get(id)!;
      return first.get(id) === i ? result : { ...result, created: false };
    });
  }

  /**
   * What the node can check of one new digest before sealing: an amendment against what it
   * replaces, and that every recipient has a key (their keys kept per holder in `recipientsOf`).
   */
  private async checkAnchor(principal: Principal, input: AnchorEvidenceInput, known: Map<string, EvidenceRecordEntity>, regulators: string[], recipientsOf: Map<string, Promise<JweRecipient[]>>): Promise<void> {
    if (input.replaces) {
      const old = known.get(input.replaces);
      if (!old || !(await this.maySee(principal, old))) throw notFound(`no evidence ${input.replaces} is visible to ${principal.org}`);
      if (old.issuer !== principal.org) throw forbidden(`evidence ${old.id} was issued by ${old.issuer}: only it may amend it`, 'NOT_ISSUER');
      requireActive(old);
      if (old.type !== input.type) throw badInput(`an amendment of a ${old.type} must be a ${old.type}`, 'TYPE_MISMATCH');
    }
    let recipients = recipientsOf.get(input.holder);
    if (!recipients) recipientsOf.set(input.holder, (recipients = this.encryption.recipientKeys([principal.org, input.holder, ...regulators])));
    await recipients;
  }

  /** Anchors one new digest (checked by checkAnchor): its metadata sealed to `recipients`, the call signed with the caller's key and submitted. */
  private async submitAnchor(principal: Principal, id: string, input: AnchorEvidenceInput, recipients: JweRecipient[], sealing?: string): Promise<AnchoredEvidenceModel> {
    const metadata: SealedMetadata = { holderIdentity: input.holderIdentity ?? null, title: input.title ?? null, amount: input.amount ?? null, reference: input.reference ?? null };
    const args = { digest: { ...digestOf(input) }, type: input.type, holder: input.holder, ...(input.replaces ? { replaces: input.replaces } : {}) };
    const seal = { field: 'sealed', plaintext: metadata as unknown as JsonValue, recipients, aad: metadataAad(id) };
    const receipt = committed(await this.ledger.submitSealedAs(principal, { channel: EVIDENCE_CHANNEL, contract: 'evidence', method: 'anchor', args }, seal, sealing));
    const value = receipt.value as { id: string; created: boolean; status: string; version: number; tx: string; height: number; recordedAt: number };
    if (!value.created) {
      // Anchored meanwhile by a concurrent call: the record's own transaction, not this one.
      const row = await this.records.findOneBy({ id: value.id });
      if (row) return anchoredFrom(row, false);
    }
    return { id: value.id, created: value.created, status: value.status as EvidenceStatusEnum, version: value.version, tx: value.tx, height: value.height, leafIndex: receipt.leafIndex, recordedAt: value.recordedAt };
  }

  private async rowsById(ids: string[]): Promise<Map<string, EvidenceRecordEntity>> {
    const rows = await this.records.createQueryBuilder('e').where('e.id = ANY(:ids)', { ids: [...new Set(ids)] }).getMany();
    return new Map(rows.map((r) => [r.id, r]));
  }

  // ---- reading --------------------------------------------------------------------------------

  /** A record the caller may see (a party, or the regulator), else NOT_FOUND (whether it exists is not told). */
  async record(ctx: RequestContext, id: string): Promise<EvidenceRecordEntity> {
    const principal = requirePrincipal(ctx);
    const row = await this.records.findOneBy({ id });
    if (!row || !(await this.maySee(principal, row))) throw notFound(`no evidence ${id} is visible to ${principal.org}`);
    return row;
  }

  async list(ctx: RequestContext, args: EvidenceRecordsArgs): Promise<Connection<EvidenceRecordModel>> {
    const principal = requirePrincipal(ctx);
    const q = this.records.createQueryBuilder('e');
    if (!(await this.organizations.isRegulator(principal.org))) q.andWhere(':org = ANY(e.parties)', { org: principal.org });
    if (args.holder) q.andWhere('e.holder = :holder', { holder: args.holder });
    if (args.issuer) q.andWhere('e.issuer = :issuer', { issuer: args.issuer });
    if (args.type) q.andWhere('e.type = :type', { type: args.type });
    if (args.status) q.andWhere('e.status = :status', { status: args.status });
    if (args.from !== undefined) q.andWhere('e.recorded_at >= :from', { from: new Date(args.from) });
    if (args.to !== undefined) q.andWhere('e.recorded_at < :to', { to: new Date(args.to) });
    if (args.after) {
      const [at, id] = decodeCursor('evidence', args.after, CURSOR_POSITION).split(':');
      q.andWhere('(e.recorded_at, e.id) < (:at, :id)', { at: new Date(Number(at)), id });
    }
    const rows = await q.orderBy('e.recorded_at', 'DESC').addOrderBy('e.id', 'DESC').limit(args.first + 1).getMany();
    return toConnection(rows, args.first, (r) => encodeCursor('evidence', `${r.recordedAt.getTime()}:${r.id}`), EvidenceRecordModel.from);
  }

  /**
   * Holder identity and metadata for a recipient organisation: each decryption audited, and recorded
   * on chain as a view. The records one request reads in the same tick (a page) are viewed together,
   * in one `viewMany` transaction: one VIEWED flow each.
   */
  metadata(ctx: RequestContext, id: string): Promise<EvidenceMetadataModel> {
    return this.metadataBatcher(ctx).load(id);
  }

  /**
   * Each record's sealed metadata as it stands (keyed by record id): sealed again by its last
   * transfer of holding (`resealed`), or else as anchored, the `sealed` argument of its anchoring
   * transaction, read from the log (one query for all of them).
   */
  private async sealedOf(rows: readonly Pick<EvidenceRecordEntity, 'id' | 'tx' | 'resealed'>[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const anchored = rows.filter((r) => r.resealed === null);
    const txs = anchored.length > 0 ? await this.ledger.transactions(anchored.map((r) => r.tx)) : new Map<string, StoredTx>();
    for (const row of rows) {
      const sealed = row.resealed ?? txs.get(row.tx)?.signed.envelope.args.sealed;
      if (sealed === undefined) throw new Error(`the anchoring transaction ${row.tx} of evidence ${row.id} is not stored`);
      out.set(row.id, sealed);
    }
    return out;
  }

  /** sealedOf for the `sealed` field of a page of records: one read of the log per request and tick. */
  sealed(ctx: RequestContext, row: Pick<EvidenceRecordEntity, 'id' | 'tx' | 'resealed'>): Promise<unknown> {
    return this.sealedBatcher(ctx).load(row);
  }

  private readonly sealedBatcher = perRequest(
    () =>
      new RequestBatcher<Pick<EvidenceRecordEntity, 'id' | 'tx' | 'resealed'>, unknown>(async (rows) => {
        const sealed = await this.sealedOf(rows);
        return new Map(rows.map((row) => [row, sealed.get(row.id)]));
      }),
  );

  private readonly metadataBatcher = perRequest((ctx) => new RequestBatcher<string, EvidenceMetadataModel>((ids) => this.metadataOf(ctx, ids), EvidenceContract.MAX_VIEWS));

  private async metadataOf(ctx: RequestContext, ids: string[]): Promise<BatchResults<string, EvidenceMetadataModel>> {
    const principal = requirePrincipal(ctx);
    const rows = await this.rowsById(ids);
    const results: BatchResults<string, EvidenceMetadataModel> = new Map();
    const visible = new Map<string, EvidenceRecordEntity>();
    for (const id of ids) {
      const row = rows.get(id);
      if (row && (await this.maySee(principal, row))) visible.set(id, row);
      else results.set(id, notFound(`no evidence ${id} is visible to ${principal.org}`));
    }
    const sealed = await this.sealedOf([...visible.values()]);
    await Promise.all(
      [...visible.keys()].map(async (id) => {
        const request = { object: `evidence:${id}`, field: 'metadata', purpose: 'view', module: 'evidence', aad: metadataAad(id) };
        return results.set(id, await this.encryption.decryptJson<SealedMetadata>(ctx, sealed.get(id) as never, request).catch((e: Error) => e));
      }),
    );
    const viewed = new Map<string, string[]>();
    for (const id of ids) if (!(results.get(id) instanceof Error)) viewed.set(rows.get(id)!.channel, [...(viewed.get(rows.get(id)!.channel) ?? []), id]);
    for (const [channel, opened] of viewed) committed(await this.ledger.submitAs(principal, { channel, contract: 'evidence', method: 'viewMany', args: { ids: opened } }));
    return results;
  }

  async timeline(id: string): Promise<EvidenceFlowModel[]> {
    return (await this.flows.find({ where: { evidenceId: id }, order: { seq: 'ASC' } })).map(EvidenceFlowModel.from);
  }

  async envelopesOf(id: string): Promise<SigningEnvelopeModel[]> {
    return (await this.envelopes.find({ where: { evidenceId: id }, order: { createdAt: 'ASC', id: 'ASC' } })).map(SigningEnvelopeModel.from);
  }

  // ---- public verification and certificates ---------------------------------------------------

  async verify(alg: DigestAlgEnum, value: string): Promise<EvidenceVerificationModel> {
    const records = await this.verifications.load(`${alg}:${value}`);
    return { found: records.length > 0, digest: { alg, value }, records };
  }

  /**
   * The public hot path (anyone, unauthenticated, thousands a second): the digests asked for by the
   * requests of one event-loop turn are looked up in one indexed query, without the ORM's query
   * building. Public data, so one batcher serves every caller.
   */
  private readonly verifications = new RequestBatcher<string, EvidenceVerificationModel['records']>(
    async (keys) => {
      const pairs = keys.map((k) => k.split(':'));
      const rows: { alg: string; digest: string; id: string; issuer: string; type: string; status: string; recorded_at: string; tx: string; height: string; leaf_index: string }[] = await this.records.query(
        // An index probe per digest whatever the statistics say: as a plain join, a table not yet
        // analysed after a bulk anchoring was hash-joined by a full scan per batch (30 ms at 50,000
        // rows). OFFSET 0 keeps the lateral subquery from being flattened into that join.
        `SELECT q.alg, q.digest, e.id, e.issuer, e.type, e.status, (extract(epoch FROM e.recorded_at) * 1000)::bigint AS recorded_at, e.tx, e.height, e.leaf_index
         FROM unnest($1::text[], $2::text[]) AS q(alg, digest)
         CROSS JOIN LATERAL (SELECT * FROM evidence_records x WHERE x.digest = q.digest AND x.digest_alg = q.alg OFFSET 0) e
         ORDER BY e.recorded_at, e.id`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
      const found = new Map<string, EvidenceVerificationModel['records']>(keys.map((k) => [k, []]));
      for (const r of rows) {
        found.get(`${r.alg}:${r.digest}`)?.push({
          id: r.id,
          issuer: r.issuer,
          type: r.type as EvidenceTypeEnum,
          status: r.status as EvidenceStatusEnum,
          recordedAt: Number(r.recorded_at),
          tx: r.tx,
          height: Number(r.height),
          leafIndex: Number(r.leaf_index),
        });
      }
      return found;
    },
    256,
    { across: 'requests' },
  );

  /** A record by id without scoping, for certificates of digests that were verified publicly. */
  async publicRecord(id: string): Promise<EvidenceRecordEntity> {
    const row = await this.records.findOneBy({ id });
    if (!row) throw notFound(`no evidence ${id}`);
    return row;
  }

  /** ledger-formats §7: the anchoring transaction, its inclusion at the latest checkpoint, and that signed checkpoint. */
  async certificate(record: EvidenceRecordEntity): Promise<EvidenceCertificate> {
    const [tx, checkpoint] = [await this.ledger.transaction(record.tx), this.ledger.checkpoint(record.channel)];
    if (!tx) throw notFound(`transaction ${record.tx} is not stored`);
    const inclusion = await this.ledger.inclusionProof(record.channel, record.tx, parseCheckpoint(checkpoint).treeSize);
    return buildEvidenceCertificate({
      evidence: { id: record.id, digest: { alg: record.digestAlg as DigestAlg, value: record.digest }, type: record.type, issuer: record.issuer, recordedAt: record.recordedAt.getTime() },
      transaction: tx,
      inclusion,
      checkpoint,
      verifierKeys: [this.ledger.verifierKey],
    });
  }

  // ---- flows --------------------------------------------------------------------------------

  /**
   * Moves the holding to `to`, with the metadata sealed again for the issuer, the new holder and the
   * regulators (the caller, issuer or holder, opens it: audited). The old holder stays a party.
   * Answers the record as it is now and the recipients the metadata was sealed for.
   */
  async transferHolding(ctx: RequestContext, id: string, to: string): Promise<{ record: EvidenceRecordEntity; recipients: string[] }> {
    const principal = requirePrincipal(ctx);
    const record = await this.record(ctx, id);
    this.assertIssuerOrHolder(principal, record);
    requireActive(record);
    if (to === record.holder) throw conflict(`${to} already holds evidence ${id}`, 'SAME_HOLDER');
    const recipients = [...new Set([record.issuer, to, ...(await this.organizations.regulators())])];
    const request = { object: `evidence:${id}`, field: 'metadata', purpose: 'transfer of holding', module: 'evidence', aad: metadataAad(id) };
    const metadata = await this.encryption.decryptJson<SealedMetadata>(ctx, (await this.sealedOf([record])).get(id) as never, request);
    const sealed = await this.encryption.encryptFor(recipients, metadata as unknown as JsonValue, { aad: metadataAad(id) });
    committed(await this.ledger.submitAs(principal, { channel: record.channel, contract: 'evidence', method: 'transferHolding', args: { id, to, sealed: sealed as unknown as JsonValue } }));
    return { record: (await this.records.findOneBy({ id }))!, recipients };
  }

  async revoke(ctx: RequestContext, id: string, reason: string): Promise<EvidenceRecordEntity> {
    const record = await this.record(ctx, id);
    if (requirePrincipal(ctx).org !== record.issuer) throw forbidden(`only ${record.issuer} may revoke evidence ${id}`, 'NOT_ISSUER');
    if (record.status === 'REVOKED') throw conflict(`evidence ${id} is already revoked`, 'ALREADY_REVOKED');
    requireActive(record);
    committed(await this.ledger.submitAs(requirePrincipal(ctx), { channel: record.channel, contract: 'evidence', method: 'revoke', args: { id, reason } }));
    return (await this.records.findOneBy({ id }))!;
  }

  /** A DOWNLOADED flow record on chain, for a download of the original. */
  async recordDownload(principal: Principal, record: EvidenceRecordEntity): Promise<void> {
    committed(await this.ledger.submitAs(principal, { channel: record.channel, contract: 'evidence', method: 'download', args: { id: record.id } }));
  }

  // ---- signing envelopes ----------------------------------------------------------------------

  /** Creates the envelope and sends it: recipients are users of this node, each signing with their own key. */
  async createEnvelope(ctx: RequestContext, input: CreateSigningEnvelopeInput): Promise<SigningEnvelopeModel> {
    const principal = requirePrincipal(ctx);
    const record = await this.record(ctx, input.evidenceId);
    this.assertIssuerOrHolder(principal, record);
    const recipients = await Promise.all(
      input.recipients.map(async (r) => {
        const user = await this.users.findOneBy({ org: r.organization, username: r.username });
        if (!user || user.revokedAt || !user.keyId) throw badInput(`${r.organization}/${r.username} is not an active user with a signing key on this node`, 'UNKNOWN_SIGNER');
        return { org: r.organization, keyId: user.keyId, routingOrder: r.routingOrder };
      }),
    );
    const created = committed(
      await this.ledger.submitAs(principal, { channel: record.channel, contract: 'evidence', method: 'createEnvelope', args: { evidenceId: record.id, recipients, expiresAt: Math.trunc(input.expiresAt) } }),
    );
    const envelopeId = (created.value as { envelopeId: string }).envelopeId;
    committed(await this.ledger.submitAs(principal, { channel: record.channel, contract: 'evidence', method: 'sendEnvelope', args: { envelopeId } }));
    return this.envelope(ctx, envelopeId);
  }

  /** An envelope of a record the caller may see. */
  async envelope(ctx: RequestContext, envelopeId: string): Promise<SigningEnvelopeModel> {
    return SigningEnvelopeModel.from(await this.envelopeRow(ctx, envelopeId));
  }

  /** Signs the envelope's digest with the caller's own key held by this node, and submits the signature as the caller. */
  async sign(ctx: RequestContext, envelopeId: string): Promise<SigningEnvelopeModel> {
    const principal = requirePrincipal(ctx);
    const envelope = await this.envelopeRow(ctx, envelopeId);
    this.assertRecipient(principal, envelope);
    const record = (await this.records.findOneBy({ id: envelope.evidenceId }))!;
    const signer = this.ledger.keys.signer(principal.signingKey);
    const message = EvidenceContract.signingMessage(envelope.id, envelope.evidenceId, { alg: record.digestAlg as DigestAlg, value: record.digest });
    const args = { envelopeId, publicKey: toBase64(signer.publicKey), signature: toBase64(signer.sign(message)) };
    committed(await this.ledger.submitAs(principal, { channel: record.channel, contract: 'evidence', method: 'signEnvelope', args }));
    return this.envelope(ctx, envelopeId);
  }

  async decline(ctx: RequestContext, envelopeId: string, reason: string): Promise<SigningEnvelopeModel> {
    this.assertRecipient(requirePrincipal(ctx), await this.envelopeRow(ctx, envelopeId));
    return this.envelopeCall(ctx, envelopeId, 'declineEnvelope', { envelopeId, reason });
  }

  async void(ctx: RequestContext, envelopeId: string, reason: string): Promise<SigningEnvelopeModel> {
    const envelope = await this.envelopeRow(ctx, envelopeId);
    if (requirePrincipal(ctx).org !== envelope.senderOrg) throw forbidden(`only ${envelope.senderOrg} may void envelope ${envelopeId}`, 'NOT_THE_SENDER');
    return this.envelopeCall(ctx, envelopeId, 'voidEnvelope', { envelopeId, reason });
  }

  /** Envelopes past their expiry that are not finished yet (the expiry job closes them on chain). */
  dueForExpiry(limit: number): Promise<EvidenceEnvelopeEntity[]> {
    return this.envelopes
      .createQueryBuilder('v')
      .where('v.status IN (:...open)', { open: ['CREATED', 'SENT', 'DELIVERED', 'SIGNED'] })
      .andWhere('v.expires_at < :now', { now: new Date(this.clock()) })
      .orderBy('v.expires_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  private async envelopeCall(ctx: RequestContext, envelopeId: string, method: string, args: { [k: string]: JsonValue }): Promise<SigningEnvelopeModel> {
    const envelope = await this.envelopeRow(ctx, envelopeId);
    committed(await this.ledger.submitAs(requirePrincipal(ctx), { channel: EVIDENCE_CHANNEL, contract: 'evidence', method, args }));
    return this.envelope(ctx, envelope.id);
  }

  private async envelopeRow(ctx: RequestContext, envelopeId: string): Promise<EvidenceEnvelopeEntity> {
    const envelope = await this.envelopes.findOneBy({ id: envelopeId });
    if (!envelope) throw notFound(`no envelope ${envelopeId}`);
    await this.record(ctx, envelope.evidenceId);
    return envelope;
  }

  // ---- who sees what ------------------------------------------------------------------------

  async maySee(principal: Principal, record: EvidenceRecordEntity): Promise<boolean> {
    return record.parties.includes(principal.org) || (await this.organizations.isRegulator(principal.org));
  }

  /** The caller's own key must be among the envelope's recipients (FORBIDDEN before anything reaches the chain). */
  private assertRecipient(principal: Principal, envelope: EvidenceEnvelopeEntity): void {
    const keyId = this.ledger.keys.has(principal.signingKey) ? keyIdOf(this.ledger.keys.publicKey(principal.signingKey)) : undefined;
    if (!envelope.recipients.some((r) => r.keyId === keyId && r.org === principal.org)) throw forbidden(`${principal.org}/${principal.name} is not a recipient of envelope ${envelope.id}`, 'NOT_A_RECIPIENT');
  }

  /** Refuses a principal that is not the record's issuer or current holder. */
  assertIssuerOrHolder(principal: Principal, record: EvidenceRecordEntity): void {
    if (principal.org !== record.issuer && principal.org !== record.holder) throw forbidden(`only ${record.issuer} or ${record.holder} may do this for evidence ${record.id}`, 'NOT_ISSUER_OR_HOLDER');
  }
}

/** What the contract refuses for a record no longer in force, answered before the chain with the same reasons. */
function requireActive(record: EvidenceRecordEntity): void {
  if (record.status === 'REVOKED') throw conflict(`evidence ${record.id} is revoked`, 'EVIDENCE_REVOKED');
  if (record.status === 'AMENDED') throw conflict(`evidence ${record.id} was amended by ${record.replacedBy}`, 'EVIDENCE_SUPERSEDED');
}

/** An item's error in a batch, naming the item. */
function itemError(e: unknown, index: number): unknown {
  return e instanceof AppError ? new AppError(e.code, `item ${index}: ${e.message}`, e.reason) : e;
}

const digestOf = (input: AnchorEvidenceInput): EvidenceDigest => ({ alg: input.digest.alg as DigestAlg, value: input.digest.value });

function anchoredFrom(row: EvidenceRecordEntity, created: boolean): AnchoredEvidenceModel {
  return {
    id: row.id,
    created,
    status: row.status as EvidenceStatusEnum,
    version: row.version,
    tx: row.tx,
    height: Number(row.height),
    leafIndex: Number(row.leafIndex),
    recordedAt: row.recordedAt.getTime(),
  };
}
