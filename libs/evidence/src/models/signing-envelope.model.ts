import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { EvidenceEnvelopeEntity } from '../entities/evidence-envelope.entity.js';

@ObjectType('EnvelopeRecipient')
export class EnvelopeRecipientModel {
  @Field(() => String)
  org!: string;

  @Field(() => String, { description: "The signer's registered key id" })
  keyId!: string;

  @Field(() => Int)
  routingOrder!: number;

  @Field(() => String, { description: 'CREATED, SENT, DELIVERED, SIGNED, COMPLETED, DECLINED, VOIDED, EXPIRED' })
  status!: string;

  @Field(() => Float, { nullable: true })
  signedAt!: number | null;

  @Field(() => String, { nullable: true, description: 'base64 Ed25519 signature over the signing message' })
  signature!: string | null;

  @Field(() => String, { nullable: true })
  declineReason!: string | null;
}

@ObjectType('SigningEnvelope', { description: 'An ordered multi-party signing envelope over an anchored E_CONTRACT' })
export class SigningEnvelopeModel {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  evidenceId!: string;

  @Field(() => String)
  senderOrg!: string;

  @Field(() => String, { description: 'CREATED, SENT, DELIVERED, SIGNED, COMPLETED, DECLINED, VOIDED, EXPIRED' })
  status!: string;

  @Field(() => Float)
  expiresAt!: number;

  @Field(() => Float)
  createdAt!: number;

  @Field(() => Float, { nullable: true })
  completedAt!: number | null;

  @Field(() => String, { nullable: true })
  voidReason!: string | null;

  @Field(() => [EnvelopeRecipientModel])
  recipients!: EnvelopeRecipientModel[];

  static from(e: EvidenceEnvelopeEntity): SigningEnvelopeModel {
    return {
      id: e.id,
      evidenceId: e.evidenceId,
      senderOrg: e.senderOrg,
      status: e.status,
      expiresAt: e.expiresAt.getTime(),
      createdAt: e.createdAt.getTime(),
      completedAt: e.completedAt?.getTime() ?? null,
      voidReason: e.voidReason,
      recipients: e.recipients.map((r) => ({
        org: r.org,
        keyId: r.keyId,
        routingOrder: r.routingOrder,
        status: r.status,
        signedAt: r.signedAt,
        signature: r.signature,
        declineReason: r.declineReason,
      })),
    };
  }
}
