import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { StoredTx } from '@zizhu/chain';
import { JSONScalar } from '@zizhu/platform';

export enum TxStatusEnum {
  COMMITTED = 'COMMITTED',
  REVERTED = 'REVERTED',
}
registerEnumType(TxStatusEnum, { name: 'TransactionStatus', description: 'COMMITTED, or REVERTED by its contract (in the log, with no effect)' });

@ObjectType('TransactionError', { description: "Why a contract reverted a transaction (the contract's code)" })
export class TransactionErrorModel {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('Transaction', { description: 'A transaction in the log (ledger-formats §2-3)' })
export class TransactionModel {
  @Field(() => String, { description: 'hex SHA-256 of the preimage `zizhu:tx:v1\\n` || JCS(envelope)' })
  hash!: string;

  @Field(() => String)
  channel!: string;

  @Field(() => Int, { description: 'Height of its block' })
  height!: number;

  @Field(() => Int, { description: "Index of its leaf in the channel's log" })
  leafIndex!: number;

  @Field(() => TxStatusEnum)
  status!: TxStatusEnum;

  @Field(() => String)
  contract!: string;

  @Field(() => String)
  method!: string;

  @Field(() => String, { description: 'Key id of the signing key' })
  signer!: string;

  @Field(() => Date, { description: 'The envelope ts' })
  submittedAt!: Date;

  @Field(() => JSONScalar, { description: 'The method arguments' })
  args!: unknown;

  @Field(() => JSONScalar, { description: 'The result: { value, events } or { error }' })
  result!: unknown;

  @Field(() => TransactionErrorModel, { nullable: true })
  error!: TransactionErrorModel | null;

  @Field(() => JSONScalar, { description: 'The signed transaction { envelope, signature, publicKey }, to verify offline' })
  signed!: unknown;

  @Field(() => String, { description: 'The log leaf bytes, base64 (what inclusion proofs prove)' })
  leaf!: string;

  static from(tx: StoredTx): TransactionModel {
    const result = JSON.parse(tx.result) as { error?: TransactionErrorModel };
    const env = tx.signed.envelope;
    return {
      hash: tx.hash,
      channel: tx.channel,
      height: tx.height,
      leafIndex: tx.leafIndex,
      status: tx.status as TxStatusEnum,
      contract: env.contract,
      method: env.method,
      signer: env.signer,
      submittedAt: new Date(env.ts),
      args: env.args,
      result,
      error: result.error ?? null,
      signed: tx.signed,
      leaf: Buffer.from(tx.leaf, 'utf8').toString('base64'),
    };
  }
}
