import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EVIDENCE_TYPES } from '@zizhu/contract-evidence';
import { ConnectionType, JSONScalar } from '@zizhu/platform';
import type { EvidenceFlowEntity } from '../entities/evidence-flow.entity.js';
import type { EvidenceRecordEntity } from '../entities/evidence-record.entity.js';

export enum EvidenceTypeEnum {
  SALES_SLIP = 'SALES_SLIP',
  BILL = 'BILL',
  INSURANCE_POLICY = 'INSURANCE_POLICY',
  INVOICE = 'INVOICE',
  RECEIPT = 'RECEIPT',
  E_CONTRACT = 'E_CONTRACT',
  OTHER = 'OTHER',
}
registerEnumType(EvidenceTypeEnum, { name: 'EvidenceType' });
// The contract's list and this enum must not drift apart.
if (Object.values(EvidenceTypeEnum).join() !== EVIDENCE_TYPES.join()) throw new Error('EvidenceTypeEnum differs from the contract EVIDENCE_TYPES');

export enum EvidenceStatusEnum {
  ACTIVE = 'ACTIVE',
  AMENDED = 'AMENDED',
  REVOKED = 'REVOKED',
}
registerEnumType(EvidenceStatusEnum, { name: 'EvidenceStatus' });

export enum DigestAlgEnum {
  sha256 = 'sha256',
  sm3 = 'sm3',
}
registerEnumType(DigestAlgEnum, { name: 'DigestAlg' });

@ObjectType('EvidenceDigest')
export class EvidenceDigestModel {
  @Field(() => DigestAlgEnum)
  alg!: DigestAlgEnum;

  @Field(() => String, { description: '64 lowercase hex' })
  value!: string;
}

@ObjectType('EvidenceMetadata', { description: 'Holder identity and metadata, decrypted for a recipient organisation (audited; recorded on chain as a view)' })
export class EvidenceMetadataModel {
  @Field(() => String, { nullable: true })
  holderIdentity!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true, description: 'Integer minor units, as a string' })
  amount!: string | null;

  @Field(() => String, { nullable: true })
  reference!: string | null;
}

@ObjectType('EvidenceFlow', { description: 'One flow record of the timeline, as the ledger holds it' })
export class EvidenceFlowModel {
  @Field(() => Int)
  seq!: number;

  @Field(() => String, { description: 'ANCHORED, AMENDED, VIEWED, DOWNLOADED, HOLDING_TRANSFERRED, REVOKED, ENVELOPE_*, SIGNED, DECLINED, VOIDED, EXPIRED' })
  action!: string;

  @Field(() => Float, { description: 'Block time, ms since the epoch' })
  at!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => String)
  tx!: string;

  @Field(() => String)
  org!: string;

  @Field(() => JSONScalar)
  detail!: unknown;

  static from(f: EvidenceFlowEntity): EvidenceFlowModel {
    return { seq: f.seq, action: f.action, at: f.at.getTime(), height: Number(f.height), tx: f.tx, org: f.org, detail: f.detail };
  }
}

@ObjectType('EvidenceRecord', { description: 'An anchored document digest and its life (holder, status, versions)' })
export class EvidenceRecordModel {
  @Field(() => String)
  id!: string;

  @Field(() => EvidenceDigestModel)
  digest!: EvidenceDigestModel;

  @Field(() => EvidenceTypeEnum)
  type!: EvidenceTypeEnum;

  @Field(() => String)
  issuer!: string;

  @Field(() => String, { description: 'The holder organisation now' })
  holder!: string;

  @Field(() => EvidenceStatusEnum)
  status!: EvidenceStatusEnum;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  replaces!: string | null;

  @Field(() => String, { nullable: true })
  replacedBy!: string | null;

  @Field(() => String, { nullable: true })
  revokeReason!: string | null;

  @Field(() => Float, { description: 'Block time of the anchoring, ms since the epoch' })
  recordedAt!: number;

  @Field(() => Int, { description: 'Height of the anchoring block' })
  height!: number;

  @Field(() => String, { description: 'Hash of the anchoring transaction' })
  tx!: string;

  @Field(() => Int, { description: 'Leaf index of the anchoring transaction in the channel log' })
  leafIndex!: number;

  /** Metadata sealed again by the last transfer of holding, or null (as anchored: in the log); the `sealed` field resolves it. */
  resealed!: Record<string, unknown> | null;

  static from(e: EvidenceRecordEntity): EvidenceRecordModel {
    return {
      id: e.id,
      digest: { alg: e.digestAlg as DigestAlgEnum, value: e.digest },
      type: e.type as EvidenceTypeEnum,
      issuer: e.issuer,
      holder: e.holder,
      status: e.status as EvidenceStatusEnum,
      version: e.version,
      replaces: e.replaces,
      replacedBy: e.replacedBy,
      revokeReason: e.revokeReason,
      recordedAt: e.recordedAt.getTime(),
      height: Number(e.height),
      tx: e.tx,
      leafIndex: Number(e.leafIndex),
      resealed: e.resealed,
    };
  }
}

@ObjectType('EvidenceRecordConnection')
export class EvidenceRecordConnection extends ConnectionType(EvidenceRecordModel, 'EvidenceRecord') {}

@ObjectType('AnchoredEvidence', { description: 'What anchoring answers: the record (new, or the existing one for the same issuer and digest) and where it is on the ledger' })
export class AnchoredEvidenceModel {
  @Field(() => String)
  id!: string;

  @Field(() => Boolean, { description: 'False when the same issuer had already anchored this digest: the existing record is returned' })
  created!: boolean;

  @Field(() => EvidenceStatusEnum)
  status!: EvidenceStatusEnum;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { description: 'Hash of the anchoring transaction' })
  tx!: string;

  @Field(() => Int)
  height!: number;

  @Field(() => Int, { description: 'Leaf index of the anchoring transaction (the query index)' })
  leafIndex!: number;

  @Field(() => Float)
  recordedAt!: number;
}

@ObjectType('PublicEvidence', { description: 'What anyone may learn about a digest on record' })
export class PublicEvidenceModel {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  issuer!: string;

  @Field(() => EvidenceTypeEnum)
  type!: EvidenceTypeEnum;

  @Field(() => EvidenceStatusEnum)
  status!: EvidenceStatusEnum;

  @Field(() => Float)
  recordedAt!: number;

  @Field(() => String)
  tx!: string;

  @Field(() => Int)
  height!: number;

  @Field(() => Int)
  leafIndex!: number;
}

@ObjectType('EvidenceVerification')
export class EvidenceVerificationModel {
  @Field(() => Boolean)
  found!: boolean;

  @Field(() => EvidenceDigestModel)
  digest!: EvidenceDigestModel;

  @Field(() => [PublicEvidenceModel], { description: 'Every issuer that anchored this digest' })
  records!: PublicEvidenceModel[];
}

@ObjectType('EvidenceEvent', { description: "An event of an evidence record's contract (Anchored, Viewed, EnvelopeSigned, ...), once its block is durable" })
export class EvidenceEventModel {
  @Field(() => String)
  evidenceId!: string;

  @Field(() => String)
  type!: string;

  @Field(() => JSONScalar)
  data!: unknown;

  @Field(() => String)
  tx!: string;

  @Field(() => Int)
  height!: number;
}
