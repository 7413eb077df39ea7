import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { TxReceipt } from '@zizhu/chain';
import { JSONScalar } from '@zizhu/platform';
import { TransactionErrorModel, TxStatusEnum } from './transaction.model.js';

@ObjectType('TransactionReceipt', { description: 'A submitted transaction, once its block is durable. REVERTED is an answer, not an error: it is in the log.' })
export class TransactionReceiptModel {
  @Field(() => String)
  hash!: string;

  @Field(() => String)
  channel!: string;

  @Field(() => Int)
  height!: number;

  @Field(() => String)
  blockHash!: string;

  @Field(() => Int)
  leafIndex!: number;

  @Field(() => TxStatusEnum)
  status!: TxStatusEnum;

  @Field(() => JSONScalar, { nullable: true, description: "The contract method's return value" })
  value!: unknown;

  @Field(() => JSONScalar, { description: 'Events the contract emitted: [{ type, data }]' })
  events!: unknown;

  @Field(() => TransactionErrorModel, { nullable: true })
  error!: TransactionErrorModel | null;

  static from(r: TxReceipt): TransactionReceiptModel {
    return { ...r, status: r.status as TxStatusEnum, error: r.error ?? null };
  }
}
