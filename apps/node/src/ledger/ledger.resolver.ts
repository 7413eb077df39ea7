import { Args, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { CommittedBlock } from '@zizhu/chain';
import { Allow, Ctx, LedgerService, Permission, decodeIntegerCursor, encodeCursor, notFound, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { toConnection } from '../common/connection.js';
import { BlockArgs, BlocksArgs, ChannelArgs, ConsistencyProofArgs, InclusionProofArgs, TransactionArgs } from './dto/channel.args.js';
import { SignedTransactionInput } from './dto/signed-transaction.input.js';
import { BlockConnection, BlockModel } from './models/block.model.js';
import { ChannelModel } from './models/channel.model.js';
import { ConsistencyProofModel, InclusionProofModel } from './models/proof.model.js';
import { TransactionReceiptModel } from './models/receipt.model.js';
import { TransactionModel } from './models/transaction.model.js';

/**
 * The ledger over GraphQL. Reads are scoped to the channels the caller's organisation is a member
 * of; submissions are signed by the caller's own key (business modules submit with the one the node
 * holds for them).
 */
@Resolver(() => BlockModel)
export class LedgerResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Query(() => [ChannelModel], { description: "Channels of the caller's organisation" })
  @Allow(Permission.ReadLedger)
  channels(@Ctx() ctx: RequestContext): ChannelModel[] {
    return this.ledger.channels(requirePrincipal(ctx).org);
  }

  @Query(() => BlockModel, { nullable: true, description: 'A block with its transactions; null above the head' })
  @Allow(Permission.ReadLedger)
  async block(@Ctx() ctx: RequestContext, @Args() args: BlockArgs): Promise<BlockModel | null> {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    const block = await this.ledger.block(args.channel, args.height);
    return block ? BlockModel.from(block) : null;
  }

  @Query(() => BlockConnection, { description: 'Blocks of a channel, newest first' })
  @Allow(Permission.ReadLedger)
  async blocks(@Ctx() ctx: RequestContext, @Args() args: BlocksArgs): Promise<BlockConnection> {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    const before = args.after === undefined ? undefined : decodeIntegerCursor('block', args.after);
    const rows = await this.ledger.blocks(args.channel, args.first + 1, before);
    return toConnection(rows, args.first, (b) => encodeCursor('block', b.header.height), BlockModel.from);
  }

  @Query(() => TransactionModel, { nullable: true, description: 'A transaction by hash; null if the log has none' })
  @Allow(Permission.ReadLedger)
  async transaction(@Ctx() ctx: RequestContext, @Args() args: TransactionArgs): Promise<TransactionModel | null> {
    const principal = requirePrincipal(ctx);
    const tx = await this.ledger.transaction(args.hash);
    if (!tx) return null;
    this.ledger.assertChannelReadable(principal, tx.channel);
    return TransactionModel.from(tx);
  }

  @Query(() => String, { description: "The channel's latest checkpoint: a C2SP signed note, verifiable with nodeInfo.verifierKey" })
  @Allow(Permission.ReadLedger)
  checkpoint(@Ctx() ctx: RequestContext, @Args() args: ChannelArgs): string {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    return this.ledger.checkpoint(args.channel);
  }

  @Query(() => InclusionProofModel, { description: 'Proof that a transaction is in the log of size treeSize' })
  @Allow(Permission.ReadLedger)
  async inclusionProof(@Ctx() ctx: RequestContext, @Args() args: InclusionProofArgs): Promise<InclusionProofModel> {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    return this.ledger.inclusionProof(args.channel, args.txHash, args.treeSize);
  }

  @Query(() => ConsistencyProofModel, { description: 'Proof that the log of size toSize extends the log of size fromSize' })
  @Allow(Permission.ReadLedger)
  async consistencyProof(@Ctx() ctx: RequestContext, @Args() args: ConsistencyProofArgs): Promise<ConsistencyProofModel> {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    return this.ledger.consistencyProof(args.channel, args.fromSize, args.toSize);
  }

  @Mutation(() => TransactionReceiptModel, { description: "Submits a transaction the client signed with a key of its organisation; answers once it is durable" })
  @Allow(Permission.SubmitTransaction)
  async submitTransaction(@Ctx() ctx: RequestContext, @Args('signed') signed: SignedTransactionInput): Promise<TransactionReceiptModel> {
    // Only the signed fields go on: the DTO instance itself is not what the client signed.
    const { envelope, signature, publicKey } = signed;
    return TransactionReceiptModel.from(await this.ledger.submit(ctx, { envelope, signature, publicKey }));
  }

  @Subscription(() => BlockModel, {
    description: 'Each block of a channel once it is durable',
    resolve: (block: CommittedBlock) => BlockModel.from(block),
  })
  @Allow(Permission.ReadLedger)
  blockCommitted(@Ctx() ctx: RequestContext, @Args() args: ChannelArgs): AsyncIterableIterator<CommittedBlock> {
    this.ledger.assertChannelReadable(requirePrincipal(ctx), args.channel);
    return this.ledger.committedBlocksIterator(args.channel);
  }

  /** Loaded with the block by `block` and `blocks`; read on demand for subscription payloads. */
  @ResolveField(() => [TransactionModel], { complexity: ({ childComplexity }) => 10 * Math.max(1, childComplexity) })
  async transactions(@Parent() block: BlockModel): Promise<TransactionModel[]> {
    if (block.transactions) return block.transactions;
    const record = await this.ledger.block(block.channel, block.height);
    if (!record) throw notFound(`block ${block.height} of ${block.channel} is not stored`);
    return record.txs.map(TransactionModel.from);
  }
}

