import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { BlockRecord, CommittedBlock, StoredBlock } from '@zizhu/chain';
import { ConnectionType } from '../../common/connection.js';
import { TransactionModel } from './transaction.model.js';

@ObjectType('Block', { description: 'A block header (ledger-formats §6) with its checkpoint and transactions' })
export class BlockModel {
  @Field(() => String)
  channel!: string;

  @Field(() => Int)
  height!: number;

  @Field(() => String, { description: 'hex SHA-256 of `zizhu:block:v1\\n` || JCS(header)' })
  hash!: string;

  @Field(() => String, { description: 'Hash of the previous block' })
  prev!: string;

  @Field(() => Int, { description: "The channel's log size after this block" })
  treeSize!: number;

  @Field(() => String, { description: 'hex RFC 9162 root of the log at treeSize' })
  root!: string;

  @Field(() => String)
  stateRoot!: string;

  @Field(() => Date)
  time!: Date;

  @Field(() => String, { description: "Key id of the node that proposed it" })
  proposer!: string;

  @Field(() => Int)
  txCount!: number;

  @Field(() => String, { description: 'The checkpoint signed after this block (C2SP signed note)' })
  checkpoint!: string;

  /** Present when loaded with the block; otherwise BlockResolver reads them. */
  transactions?: TransactionModel[];

  static from(block: StoredBlock | CommittedBlock | BlockRecord): BlockModel {
    const h = block.header;
    const model: BlockModel = {
      channel: h.channel,
      height: h.height,
      hash: block.hash,
      prev: h.prev,
      treeSize: h.treeSize,
      root: h.root,
      stateRoot: h.stateRoot,
      time: new Date(h.time),
      proposer: h.proposer,
      txCount: h.txCount,
      checkpoint: block.checkpoint,
    };
    if ('txs' in block) model.transactions = block.txs.map(TransactionModel.from);
    return model;
  }
}

@ObjectType('BlockConnection')
export class BlockConnection extends ConnectionType(BlockModel, 'Block') {}
