import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, LedgerService, Permission, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { TransactionReceiptModel } from '../ledger/models/receipt.model.js';
import { RecordDocumentInput } from './dto/record-document.input.js';

/** The notary sample's GraphQL: recording a document digest, signed with the caller's key held by this node. */
@Resolver()
export class NotaryResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Mutation(() => TransactionReceiptModel, { description: "Records a document digest (notary contract), signed with the caller's key held by this node" })
  @Allow(Permission.SubmitTransaction)
  async recordDocument(@Ctx() ctx: RequestContext, @Args('input') input: RecordDocumentInput): Promise<TransactionReceiptModel> {
    const principal = requirePrincipal(ctx);
    this.ledger.assertChannelReadable(principal, input.channel);
    const args = { id: input.id, digest: input.digest, ...(input.title !== undefined ? { title: input.title } : {}) };
    return TransactionReceiptModel.from(await this.ledger.submitAs(principal, { channel: input.channel, contract: 'notary', method: 'record', args }));
  }
}
