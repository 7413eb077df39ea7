import { canonicalJson, ContractError, ed25519Verify, fromBase64, keyIdOf, sha256Hex, type ContractContext, type JsonValue, type MethodSpec, type Sender } from '@zizhu/chain';

export const EVIDENCE_TYPES = ['SALES_SLIP', 'BILL', 'INSURANCE_POLICY', 'INVOICE', 'RECEIPT', 'E_CONTRACT', 'OTHER'] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];
export type DigestAlg = 'sha256' | 'sm3';

export interface EvidenceDigest {
  alg: DigestAlg;
  value: string;
}

/** JWE general JSON serialisation (RFC 7516 §7.2.1), made off chain; the contract only bounds it. */
export interface SealedJwe {
  protected: string;
  unprotected?: Record<string, unknown>;
  aad?: string;
  recipients: { encrypted_key: string; header?: Record<string, unknown> }[];
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * `ev/<id>`: what was anchored. Never changed after the anchoring transaction.
 *
 * The holder identity and metadata, sealed (a JWE of 2-4 KB), are not kept here: they are the
 * `sealed` argument of the anchoring transaction (`tx`), which the log keeps and read models take
 * from the block. State holds what calls decide on; a copy of the ciphertext in it, and in every
 * block's write set, cost a third of anchoring's database work for nothing a call reads. (Records
 * anchored by versions before 1.3.0 carry it as `sealed`.) After a transfer of holding, `evm/<id>`
 * holds the metadata sealed for the new holder.
 */
export interface EvidenceRecord {
  id: string;
  digest: EvidenceDigest;
  type: EvidenceType;
  issuer: string;
  /** The holder organisation named at anchoring (the current one is in the status). */
  holder: string;
  version: number;
  replaces: string | null;
  recordedAt: number;
  height: number;
  /** Hash of the anchoring transaction: the one an evidence certificate proves. */
  tx: string;
  anchoredBy: string;
}

export type EvidenceStatusCode = 'ACTIVE' | 'AMENDED' | 'REVOKED';

/** `evs/<id>`: what changes over a record's life. */
export interface EvidenceStatus {
  status: EvidenceStatusCode;
  holder: string;
  replacedBy: string | null;
  revokedAt: number | null;
  revokeReason: string | null;
  /** Timeline entries so far (`tl/<id>/<seq>`, seq from 1). */
  flows: number;
}

export type FlowAction =
  | 'ANCHORED'
  | 'AMENDED'
  | 'VIEWED'
  | 'DOWNLOADED'
  | 'HOLDING_TRANSFERRED'
  | 'REVOKED'
  | 'ENVELOPE_CREATED'
  | 'ENVELOPE_SENT'
  | 'ENVELOPE_DELIVERED'
  | 'SIGNED'
  | 'ENVELOPE_COMPLETED'
  | 'DECLINED'
  | 'VOIDED'
  | 'EXPIRED';

/** `tl/<evidenceId>/<seq, 8 digits>`: one flow record of the evidence's timeline. */
export interface FlowRecord {
  seq: number;
  action: FlowAction;
  at: number;
  height: number;
  tx: string;
  org: string;
  keyId: string;
  detail: Record<string, string | number | null>;
}

export type EnvelopeStatus = 'CREATED' | 'SENT' | 'DELIVERED' | 'SIGNED' | 'COMPLETED' | 'DECLINED' | 'VOIDED' | 'EXPIRED';

export interface EnvelopeRecipient {
  org: string;
  keyId: string;
  routingOrder: number;
  status: EnvelopeStatus;
  deliveredAt: number | null;
  signedAt: number | null;
  /** base64 Ed25519 signature over EvidenceContract.signingMessage(...), and the key that made it. */
  signature: string | null;
  publicKey: string | null;
  declinedAt: number | null;
  declineReason: string | null;
}

/** `env/<envelopeId>`: an ordered multi-party signing envelope over an anchored E_CONTRACT. */
export interface SigningEnvelope {
  id: string;
  evidenceId: string;
  digest: EvidenceDigest;
  sender: { org: string; keyId: string };
  recipients: EnvelopeRecipient[];
  status: EnvelopeStatus;
  expiresAt: number;
  createdAt: number;
  sentAt: number | null;
  completedAt: number | null;
  voidedAt: number | null;
  voidReason: string | null;
}

const HEX64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const ORG = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;
const B64URL = (maxLength: number) => ({ type: 'string', pattern: '^[A-Za-z0-9_-]*$', maxLength }) as const;
const REASON = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const DIGEST = {
  type: 'object',
  additionalProperties: false,
  required: ['alg', 'value'],
  properties: { alg: { enum: ['sha256', 'sm3'] }, value: HEX64 },
} as const;
const SEALED = {
  type: 'object',
  additionalProperties: false,
  required: ['protected', 'recipients', 'iv', 'ciphertext', 'tag'],
  properties: {
    protected: B64URL(4096),
    unprotected: { type: 'object', maxProperties: 16 },
    aad: B64URL(4096),
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: { type: 'object', additionalProperties: false, required: ['encrypted_key'], properties: { encrypted_key: B64URL(1024), header: { type: 'object', maxProperties: 16 } } },
    },
    iv: B64URL(64),
    ciphertext: B64URL(65536),
    tag: B64URL(64),
  },
} as const;
const object = (required: string[], properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, required, properties }) as MethodSpec['args'];
const ENVELOPE_ID = { envelopeId: HEX64 };

/**
 * The evidence contract: document digests anchored by issuers (org kinds ISSUER and BANK) for a
 * holder organisation, their flow records (views, downloads, transfers of holding, amendments,
 * revocations) as events and as a timeline in state, and ordered multi-party signing envelopes
 * over anchored e-contracts, modelled on DocuSign's envelope and recipient statuses.
 */
export class EvidenceContract {
  static readonly contractName = 'evidence';
  static readonly version: string = '1.3.0';
  /** Largest canonical JSON of a `sealed` JWE kept in state. */
  static readonly MAX_SEALED_CHARS = 65536;
  /** Most records one `viewMany` records (a Relay page holds at most 100). */
  static readonly MAX_VIEWS = 100;
  static readonly methods: Record<string, MethodSpec> = {
    anchor: {
      orgKinds: ['ISSUER', 'BANK'],
      args: object(['digest', 'type', 'holder', 'sealed'], { digest: DIGEST, type: { enum: [...EVIDENCE_TYPES] }, holder: ORG, sealed: SEALED, replaces: HEX64 }),
    },
    view: { args: object(['id'], { id: HEX64 }) },
    viewMany: { args: object(['ids'], { ids: { type: 'array', minItems: 1, maxItems: EvidenceContract.MAX_VIEWS, uniqueItems: true, items: HEX64 } }) },
    download: { args: object(['id'], { id: HEX64 }) },
    transferHolding: { args: object(['id', 'to', 'sealed'], { id: HEX64, to: ORG, sealed: SEALED }) },
    revoke: { args: object(['id', 'reason'], { id: HEX64, reason: REASON }) },
    createEnvelope: {
      args: object(['evidenceId', 'recipients', 'expiresAt'], {
        evidenceId: HEX64,
        recipients: {
          type: 'array',
          minItems: 1,
          maxItems: 32,
          items: object(['org', 'keyId', 'routingOrder'], { org: ORG, keyId: HEX64, routingOrder: { type: 'integer', minimum: 1, maximum: 100 } }),
        },
        expiresAt: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      }),
    },
    sendEnvelope: { args: object(['envelopeId'], ENVELOPE_ID) },
    openEnvelope: { args: object(['envelopeId'], ENVELOPE_ID) },
    signEnvelope: {
      args: object(['envelopeId', 'publicKey', 'signature'], {
        ...ENVELOPE_ID,
        publicKey: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' },
        signature: { type: 'string', pattern: '^[A-Za-z0-9+/]{86}==$' },
      }),
    },
    declineEnvelope: { args: object(['envelopeId', 'reason'], { ...ENVELOPE_ID, reason: REASON }) },
    voidEnvelope: { args: object(['envelopeId', 'reason'], { ...ENVELOPE_ID, reason: REASON }) },
    expireEnvelope: { args: object(['envelopeId'], ENVELOPE_ID) },
  };

  /**
   * The keys a call reads (ContractClass.reads), for the calls on one record whose keys follow from
   * their arguments: a block of anchors fetches all its records' keys in one query without running
   * each anchor twice. Envelope calls read the envelope first to learn their record: not declared.
   */
  static reads(method: string, args: { readonly [key: string]: JsonValue }, sender: Sender): readonly string[] | undefined {
    const record = (id: string) => [`ev/${id}`, `evs/${id}`];
    switch (method) {
      case 'anchor': {
        const { digest, replaces } = args as unknown as { digest: EvidenceDigest; replaces?: string };
        return [...record(EvidenceContract.evidenceId(sender.org, digest)), ...(replaces === undefined ? [] : record(replaces))];
      }
      case 'view':
      case 'download':
      case 'revoke':
      case 'transferHolding':
        return record(args.id as string);
      case 'viewMany':
        return (args.ids as string[]).flatMap(record);
      default:
        return undefined;
    }
  }

  /** Evidence id: one per (issuer, digest), so the same issuer anchoring the same digest gets the same record. */
  static evidenceId(issuer: string, digest: EvidenceDigest): string {
    return sha256Hex('zizhu:evidence:v1\n', canonicalJson({ alg: digest.alg, issuer, value: digest.value }));
  }

  /** The bytes a recipient signs with their registered Ed25519 key to sign an envelope. */
  static signingMessage(envelopeId: string, evidenceId: string, digest: EvidenceDigest): Uint8Array {
    const text = 'zizhu:evidence-signature:v1\n' + canonicalJson({ digest: { alg: digest.alg, value: digest.value }, envelopeId, evidenceId });
    return new TextEncoder().encode(text);
  }

  async anchor(ctx: ContractContext, args: { digest: EvidenceDigest; type: EvidenceType; holder: string; sealed: SealedJwe; replaces?: string }) {
    const issuer = ctx.sender.org;
    const id = EvidenceContract.evidenceId(issuer, args.digest);
    const existing = await ctx.state.get<EvidenceRecord & Record<string, never>>(`ev/${id}`);
    if (existing) {
      // The same issuer and digest: the record already exists; hand it back instead of a second one.
      const status = (await ctx.state.get<EvidenceStatus & Record<string, never>>(`evs/${id}`))!;
      return { id, created: false, status: status.status, version: existing.version, tx: existing.tx, height: existing.height, recordedAt: existing.recordedAt };
    }
    this.requireSealedFor(args.sealed, [issuer, args.holder]);
    let version = 1;
    if (args.replaces !== undefined) {
      const { record: old, status: oldStatus } = await this.evidence(ctx, args.replaces);
      if (old.issuer !== issuer) throw new ContractError('NOT_ISSUER', `evidence ${old.id} was issued by ${old.issuer}`);
      this.requireActive(old.id, oldStatus);
      if (old.type !== args.type) throw new ContractError('TYPE_MISMATCH', `an amendment of a ${old.type} must be a ${old.type}`);
      version = old.version + 1;
      await this.flow(ctx, old.id, { ...oldStatus, status: 'AMENDED', replacedBy: id }, 'AMENDED', { replacedBy: id });
      ctx.emit('Amended', { id: old.id, replacedBy: id, version });
    }
    const record: EvidenceRecord = {
      id,
      digest: { alg: args.digest.alg, value: args.digest.value },
      type: args.type,
      issuer,
      holder: args.holder,
      version,
      replaces: args.replaces ?? null,
      recordedAt: ctx.block.time,
      height: ctx.block.height,
      tx: ctx.tx.hash,
      anchoredBy: ctx.sender.keyId,
    };
    ctx.state.put(`ev/${id}`, record as never);
    const status: EvidenceStatus = { status: 'ACTIVE', holder: args.holder, replacedBy: null, revokedAt: null, revokeReason: null, flows: 0 };
    await this.flow(ctx, id, status, 'ANCHORED', { holder: args.holder, replaces: record.replaces });
    ctx.emit('Anchored', { id, issuer, holder: args.holder, type: args.type, digest: record.digest as never, version, replaces: record.replaces });
    return { id, created: true, status: 'ACTIVE', version, tx: ctx.tx.hash, height: ctx.block.height, recordedAt: ctx.block.time };
  }

  async view(ctx: ContractContext, args: { id: string }) {
    return this.access(ctx, args.id, 'VIEWED', 'Viewed');
  }

  /** Views of several records in one transaction (a page read): one VIEWED flow and event each; any unknown id REVERTs all. */
  async viewMany(ctx: ContractContext, args: { ids: string[] }) {
    const views: { id: string; seq: number }[] = [];
    for (const id of args.ids) views.push(await this.access(ctx, id, 'VIEWED', 'Viewed'));
    return { views };
  }

  async download(ctx: ContractContext, args: { id: string }) {
    return this.access(ctx, args.id, 'DOWNLOADED', 'Downloaded');
  }

  /** Moves the holding; `sealed` is the metadata sealed again for the new holder (`evm/<id>`), since the anchored JWE names the first. */
  async transferHolding(ctx: ContractContext, args: { id: string; to: string; sealed: SealedJwe }) {
    const { record, status } = await this.evidence(ctx, args.id);
    this.requireActive(args.id, status);
    if (ctx.sender.org !== record.issuer && ctx.sender.org !== status.holder) {
      throw new ContractError('NOT_ISSUER_OR_HOLDER', `only the issuer ${record.issuer} or the holder ${status.holder} may transfer evidence ${args.id}`);
    }
    if (args.to === status.holder) throw new ContractError('SAME_HOLDER', `${args.to} already holds evidence ${args.id}`);
    this.requireSealedFor(args.sealed, [record.issuer, args.to]);
    ctx.state.put(`evm/${args.id}`, args.sealed as never);
    await this.flow(ctx, args.id, { ...status, holder: args.to }, 'HOLDING_TRANSFERRED', { from: status.holder, to: args.to });
    ctx.emit('HoldingTransferred', { id: args.id, from: status.holder, to: args.to });
    return { id: args.id, holder: args.to };
  }

  async revoke(ctx: ContractContext, args: { id: string; reason: string }) {
    const { record, status } = await this.evidence(ctx, args.id);
    if (ctx.sender.org !== record.issuer) throw new ContractError('NOT_ISSUER', `only the issuer ${record.issuer} may revoke evidence ${args.id}`);
    if (status.status === 'REVOKED') throw new ContractError('ALREADY_REVOKED', `evidence ${args.id} is already revoked`);
    this.requireActive(args.id, status);
    await this.flow(ctx, args.id, { ...status, status: 'REVOKED', revokedAt: ctx.block.time, revokeReason: args.reason }, 'REVOKED', { reason: args.reason });
    ctx.emit('Revoked', { id: args.id, reason: args.reason });
    return { id: args.id, status: 'REVOKED' };
  }

  async createEnvelope(ctx: ContractContext, args: { evidenceId: string; recipients: { org: string; keyId: string; routingOrder: number }[]; expiresAt: number }) {
    const { record, status } = await this.evidence(ctx, args.evidenceId);
    if (record.type !== 'E_CONTRACT') throw new ContractError('NOT_AN_E_CONTRACT', `evidence ${record.id} is a ${record.type}, not an E_CONTRACT`);
    this.requireActive(record.id, status);
    if (ctx.sender.org !== record.issuer && ctx.sender.org !== status.holder) {
      throw new ContractError('NOT_A_PARTY', `only the issuer or the holder of evidence ${record.id} may send it for signing`);
    }
    if (args.expiresAt <= ctx.block.time) throw new ContractError('EXPIRY_IN_PAST', `expiresAt ${args.expiresAt} is not after the block time ${ctx.block.time}`);
    const keys = new Set(args.recipients.map((r) => r.keyId));
    if (keys.size !== args.recipients.length) throw new ContractError('DUPLICATE_RECIPIENT', 'a signing key may be a recipient only once');
    const envelope: SigningEnvelope = {
      id: ctx.tx.hash,
      evidenceId: record.id,
      digest: record.digest,
      sender: { org: ctx.sender.org, keyId: ctx.sender.keyId },
      recipients: args.recipients.map((r) => ({
        org: r.org,
        keyId: r.keyId,
        routingOrder: r.routingOrder,
        status: 'CREATED',
        deliveredAt: null,
        signedAt: null,
        signature: null,
        publicKey: null,
        declinedAt: null,
        declineReason: null,
      })),
      status: 'CREATED',
      expiresAt: args.expiresAt,
      createdAt: ctx.block.time,
      sentAt: null,
      completedAt: null,
      voidedAt: null,
      voidReason: null,
    };
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    await this.flow(ctx, record.id, status, 'ENVELOPE_CREATED', { envelopeId: envelope.id, recipients: envelope.recipients.length });
    ctx.emit('EnvelopeCreated', {
      envelopeId: envelope.id,
      evidenceId: record.id,
      sender: envelope.sender,
      recipients: args.recipients.map((r) => ({ org: r.org, keyId: r.keyId, routingOrder: r.routingOrder })),
      expiresAt: args.expiresAt,
    });
    return { envelopeId: envelope.id, status: envelope.status };
  }

  async sendEnvelope(ctx: ContractContext, args: { envelopeId: string }) {
    const { envelope, status } = await this.openable(ctx, args.envelopeId, { allowDraft: true });
    if (envelope.sender.org !== ctx.sender.org) throw new ContractError('NOT_THE_SENDER', `only ${envelope.sender.org} may send envelope ${envelope.id}`);
    if (envelope.status !== 'CREATED') throw new ContractError('ENVELOPE_ALREADY_SENT', `envelope ${envelope.id} is already ${envelope.status}`);
    envelope.status = 'SENT';
    envelope.sentAt = ctx.block.time;
    const reached = this.advanceRouting(envelope);
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    await this.flow(ctx, envelope.evidenceId, status, 'ENVELOPE_SENT', { envelopeId: envelope.id });
    ctx.emit('EnvelopeSent', { envelopeId: envelope.id, evidenceId: envelope.evidenceId, recipients: reached });
    return { envelopeId: envelope.id, status: envelope.status };
  }

  async openEnvelope(ctx: ContractContext, args: { envelopeId: string }) {
    const { envelope, status } = await this.openable(ctx, args.envelopeId);
    const recipient = this.recipientInTurn(ctx, envelope);
    if (recipient.status === 'DELIVERED') throw new ContractError('ALREADY_DELIVERED', `envelope ${envelope.id} was already opened by ${recipient.keyId}`);
    recipient.status = 'DELIVERED';
    recipient.deliveredAt = ctx.block.time;
    if (envelope.status === 'SENT') envelope.status = 'DELIVERED';
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    await this.flow(ctx, envelope.evidenceId, status, 'ENVELOPE_DELIVERED', { envelopeId: envelope.id });
    ctx.emit('RecipientDelivered', { envelopeId: envelope.id, evidenceId: envelope.evidenceId, org: recipient.org, keyId: recipient.keyId });
    return { envelopeId: envelope.id, status: envelope.status, recipientStatus: recipient.status };
  }

  async signEnvelope(ctx: ContractContext, args: { envelopeId: string; publicKey: string; signature: string }) {
    const { envelope, status } = await this.openable(ctx, args.envelopeId);
    const recipient = this.recipientInTurn(ctx, envelope);
    const publicKey = fromBase64(args.publicKey);
    // The transaction's signer is the recipient's registered, active key (the engine checked it), and
    // a key id is the hash of its public key: so this is the registered key, and no other.
    if (keyIdOf(publicKey) !== recipient.keyId) throw new ContractError('KEY_MISMATCH', `publicKey is not the recipient's key ${recipient.keyId}`);
    if (!ed25519Verify(publicKey, EvidenceContract.signingMessage(envelope.id, envelope.evidenceId, envelope.digest), fromBase64(args.signature))) {
      throw new ContractError('BAD_SIGNATURE', `the signature does not verify under key ${recipient.keyId}`);
    }
    recipient.status = 'SIGNED';
    recipient.signedAt = ctx.block.time;
    recipient.signature = args.signature;
    recipient.publicKey = args.publicKey;
    const reached = this.advanceRouting(envelope);
    const completed = envelope.recipients.every((r) => r.status === 'SIGNED');
    envelope.status = completed ? 'COMPLETED' : 'SIGNED';
    if (completed) {
      envelope.completedAt = ctx.block.time;
      for (const r of envelope.recipients) r.status = 'COMPLETED';
    }
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    await this.flow(ctx, envelope.evidenceId, status, 'SIGNED', { envelopeId: envelope.id, routingOrder: recipient.routingOrder });
    ctx.emit('EnvelopeSigned', {
      envelopeId: envelope.id,
      evidenceId: envelope.evidenceId,
      org: recipient.org,
      keyId: recipient.keyId,
      routingOrder: recipient.routingOrder,
      signature: args.signature,
      next: reached,
    });
    if (completed) {
      await this.flow(ctx, envelope.evidenceId, status, 'ENVELOPE_COMPLETED', { envelopeId: envelope.id });
      ctx.emit('EnvelopeCompleted', { envelopeId: envelope.id, evidenceId: envelope.evidenceId, digest: envelope.digest as never });
    }
    return { envelopeId: envelope.id, status: envelope.status, completed };
  }

  async declineEnvelope(ctx: ContractContext, args: { envelopeId: string; reason: string }) {
    const { envelope, status } = await this.openable(ctx, args.envelopeId);
    const recipient = this.recipientInTurn(ctx, envelope);
    recipient.status = 'DECLINED';
    recipient.declinedAt = ctx.block.time;
    recipient.declineReason = args.reason;
    envelope.status = 'DECLINED';
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    await this.flow(ctx, envelope.evidenceId, status, 'DECLINED', { envelopeId: envelope.id, reason: args.reason });
    ctx.emit('EnvelopeDeclined', { envelopeId: envelope.id, evidenceId: envelope.evidenceId, org: recipient.org, keyId: recipient.keyId, reason: args.reason });
    return { envelopeId: envelope.id, status: envelope.status };
  }

  async voidEnvelope(ctx: ContractContext, args: { envelopeId: string; reason: string }) {
    const envelope = await this.envelope(ctx, args.envelopeId);
    if (envelope.sender.org !== ctx.sender.org) throw new ContractError('NOT_THE_SENDER', `only ${envelope.sender.org} may void envelope ${envelope.id}`);
    this.requireOpen(ctx, envelope);
    return this.close(ctx, envelope, 'VOIDED', { reason: args.reason });
  }

  async expireEnvelope(ctx: ContractContext, args: { envelopeId: string }) {
    const envelope = await this.envelope(ctx, args.envelopeId);
    this.requireUnfinished(envelope);
    if (ctx.block.time <= envelope.expiresAt) throw new ContractError('NOT_EXPIRED', `envelope ${envelope.id} expires at ${envelope.expiresAt}`);
    return this.close(ctx, envelope, 'EXPIRED', {});
  }

  /** Ends an unfinished envelope (void, expiry): recipients who had not signed take its status. */
  private async close(ctx: ContractContext, envelope: SigningEnvelope, to: 'VOIDED' | 'EXPIRED', detail: { reason?: string }) {
    envelope.status = to;
    for (const r of envelope.recipients) if (r.status !== 'SIGNED') r.status = to;
    if (to === 'VOIDED') {
      envelope.voidedAt = ctx.block.time;
      envelope.voidReason = detail.reason ?? null;
    }
    ctx.state.put(`env/${envelope.id}`, envelope as never);
    const { status } = await this.evidence(ctx, envelope.evidenceId);
    await this.flow(ctx, envelope.evidenceId, status, to, { envelopeId: envelope.id, ...detail });
    ctx.emit(to === 'VOIDED' ? 'EnvelopeVoided' : 'EnvelopeExpired', { envelopeId: envelope.id, evidenceId: envelope.evidenceId, ...detail });
    return { envelopeId: envelope.id, status: to };
  }

  /** A view or download, recorded by any member that has the record (who may see it is the node's business). */
  private async access(ctx: ContractContext, id: string, action: 'VIEWED' | 'DOWNLOADED', event: string) {
    const { status } = await this.evidence(ctx, id);
    const seq = await this.flow(ctx, id, status, action, {});
    ctx.emit(event, { id, org: ctx.sender.org, keyId: ctx.sender.keyId });
    return { id, seq };
  }

  private async evidence(ctx: ContractContext, id: string): Promise<{ record: EvidenceRecord; status: EvidenceStatus }> {
    const record = await ctx.state.get<EvidenceRecord & Record<string, never>>(`ev/${id}`);
    if (!record) throw new ContractError('EVIDENCE_NOT_FOUND', `evidence ${id} is not anchored`);
    const status = (await ctx.state.get<EvidenceStatus & Record<string, never>>(`evs/${id}`))!;
    return { record, status };
  }

  /** Sealed metadata the contract keeps: bounded in size, and readable by `orgs` (JWE recipients by `kid`). */
  private requireSealedFor(sealed: SealedJwe, orgs: string[]): void {
    if (canonicalJson(sealed as never).length > EvidenceContract.MAX_SEALED_CHARS) {
      throw new ContractError('SEALED_TOO_LARGE', `the sealed metadata exceeds ${EvidenceContract.MAX_SEALED_CHARS} characters`);
    }
    const kids = new Set(sealed.recipients.map((r) => r.header?.kid));
    const missing = orgs.filter((org) => !kids.has(org));
    if (missing.length > 0) throw new ContractError('NOT_SEALED_FOR', `the sealed metadata has no recipient ${missing.join(', ')}`);
  }

  private requireActive(id: string, status: EvidenceStatus): void {
    if (status.status === 'REVOKED') throw new ContractError('EVIDENCE_REVOKED', `evidence ${id} is revoked`);
    if (status.status === 'AMENDED') throw new ContractError('EVIDENCE_SUPERSEDED', `evidence ${id} was amended by ${status.replacedBy}`);
  }

  /** Appends a flow record to the evidence's timeline and stores its status; returns the record's seq. */
  private async flow(ctx: ContractContext, id: string, status: EvidenceStatus, action: FlowAction, detail: FlowRecord['detail']): Promise<number> {
    // Re-read: an earlier flow of this transaction may have advanced the counter.
    const current = await ctx.state.get<EvidenceStatus & Record<string, never>>(`evs/${id}`);
    const seq = (current?.flows ?? status.flows) + 1;
    ctx.state.put(`evs/${id}`, { ...status, flows: seq } as never);
    const record: FlowRecord = { seq, action, at: ctx.block.time, height: ctx.block.height, tx: ctx.tx.hash, org: ctx.sender.org, keyId: ctx.sender.keyId, detail };
    ctx.state.put(`tl/${id}/${String(seq).padStart(8, '0')}`, record as never);
    return seq;
  }

  private async envelope(ctx: ContractContext, envelopeId: string): Promise<SigningEnvelope> {
    const envelope = await ctx.state.get<SigningEnvelope & Record<string, never>>(`env/${envelopeId}`);
    if (!envelope) throw new ContractError('ENVELOPE_NOT_FOUND', `envelope ${envelopeId} does not exist`);
    return envelope;
  }

  private requireUnfinished(envelope: SigningEnvelope): void {
    const finished: Partial<Record<EnvelopeStatus, string>> = {
      COMPLETED: 'ENVELOPE_COMPLETED',
      DECLINED: 'ENVELOPE_DECLINED',
      VOIDED: 'ENVELOPE_VOIDED',
      EXPIRED: 'ENVELOPE_EXPIRED',
    };
    const code = finished[envelope.status];
    if (code) throw new ContractError(code, `envelope ${envelope.id} is ${envelope.status}`);
  }

  /** Not finished and not past its expiry time. */
  private requireOpen(ctx: ContractContext, envelope: SigningEnvelope): void {
    this.requireUnfinished(envelope);
    if (ctx.block.time > envelope.expiresAt) throw new ContractError('ENVELOPE_EXPIRED', `envelope ${envelope.id} expired at ${envelope.expiresAt}`);
  }

  /** An envelope recipients may act on: open, sent, and its evidence still in force. */
  private async openable(ctx: ContractContext, envelopeId: string, opts: { allowDraft?: boolean } = {}) {
    const envelope = await this.envelope(ctx, envelopeId);
    this.requireOpen(ctx, envelope);
    if (envelope.status === 'CREATED' && !opts.allowDraft) throw new ContractError('ENVELOPE_NOT_SENT', `envelope ${envelope.id} has not been sent`);
    const { status } = await this.evidence(ctx, envelope.evidenceId);
    this.requireActive(envelope.evidenceId, status);
    return { envelope, status };
  }

  /** The sender's entry among the recipients, when it is their turn and they have not acted yet. */
  private recipientInTurn(ctx: ContractContext, envelope: SigningEnvelope): EnvelopeRecipient {
    const recipient = envelope.recipients.find((r) => r.keyId === ctx.sender.keyId && r.org === ctx.sender.org);
    if (!recipient) throw new ContractError('NOT_A_RECIPIENT', `key ${ctx.sender.keyId} of ${ctx.sender.org} is not a recipient of envelope ${envelope.id}`);
    if (recipient.status === 'SIGNED') throw new ContractError('ALREADY_SIGNED', `${recipient.keyId} already signed envelope ${envelope.id}`);
    if (recipient.status === 'CREATED') {
      const waiting = envelope.recipients.filter((r) => r.routingOrder < recipient.routingOrder && r.status !== 'SIGNED').map((r) => r.keyId);
      throw new ContractError('OUT_OF_ORDER', `routing order ${recipient.routingOrder} must wait for ${waiting.join(', ')} to sign`);
    }
    return recipient;
  }

  /**
   * Hands the envelope to the next routing order once every lower order has signed: equal orders
   * receive it together. Returns the keys it reached now.
   */
  private advanceRouting(envelope: SigningEnvelope): string[] {
    const unsigned = envelope.recipients.filter((r) => r.status !== 'SIGNED');
    if (unsigned.length === 0) return [];
    const turn = Math.min(...unsigned.map((r) => r.routingOrder));
    const reached = unsigned.filter((r) => r.routingOrder === turn && r.status === 'CREATED');
    for (const r of reached) r.status = 'SENT';
    return reached.map((r) => r.keyId);
  }
}
