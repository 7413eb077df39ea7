import { Args, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { CommittedBlock } from '@zizhu/chain';
import { Allow, Ctx, JSONScalar, LedgerService, Permission, badInput, createValidationPipe, requirePrincipal, type Connection, type RequestContext } from '@zizhu/platform';
import {
  AnchorEvidenceBatchInput,
  AnchorEvidenceInput,
  EvidenceIdArgs,
  EvidenceRecordsArgs,
  RevokeEvidenceArgs,
  EvidenceDigestInput,
  HEX64,
  TransferHoldingArgs,
  plainlyValidBatch,
} from './dto/evidence.inputs.js';
import { EvidenceOriginalsService } from './evidence-originals.service.js';
import { EVIDENCE_CHANNEL, EvidenceService } from './evidence.service.js';
import {
  AnchoredEvidenceModel,
  type DigestAlgEnum,
  EvidenceEventModel,
  EvidenceFlowModel,
  EvidenceMetadataModel,
  EvidenceRecordConnection,
  EvidenceRecordModel,
  EvidenceVerificationModel,
  PublicEvidenceModel,
} from './models/evidence-record.model.js';
import { SigningEnvelopeModel } from './models/signing-envelope.model.js';

/** The node's validation pipe, for the anchoring batches plainlyValidBatch does not pass. */
const BATCH_VALIDATION = createValidationPipe();

/**
 * Evidence records over GraphQL: anchoring (issuers), scoped reads (parties; the regulator reads
 * all), flows, and the public verification of a digest (no login).
 */
@Resolver(() => EvidenceRecordModel)
export class EvidenceResolver {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly originals: EvidenceOriginalsService,
    private readonly ledger: LedgerService,
  ) {}

  @Mutation(() => AnchoredEvidenceModel, { description: "Anchors a document digest for a holder, signed with the caller's key held by this node; the same issuer and digest again returns the existing record" })
  @Allow(Permission.SubmitTransaction)
  anchorEvidence(@Ctx() ctx: RequestContext, @Args('input') input: AnchorEvidenceInput): Promise<AnchoredEvidenceModel> {
    return this.evidence.anchor(ctx, input);
  }

  @Mutation(() => [AnchoredEvidenceModel], { description: 'Anchors up to 10,000 digests, each its own transaction (individually provable), in order of the input' })
  @Allow(Permission.SubmitTransaction)
  async anchorEvidenceBatch(
    @Ctx() ctx: RequestContext,
    // Typed structurally, so the generic validation pipe passes it by: plainlyValidBatch checks the
    // items, and only a batch it does not certainly accept goes through the pipe's checks.
    @Args('input', { type: () => AnchorEvidenceBatchInput }) input: { items: unknown },
  ): Promise<AnchoredEvidenceModel[]> {
    const items = plainlyValidBatch(input.items) ? input.items : ((await BATCH_VALIDATION.transform(input, { type: 'body', metatype: AnchorEvidenceBatchInput })) as AnchorEvidenceBatchInput).items;
    return this.evidence.anchorBatch(ctx, items);
  }

  @Query(() => EvidenceRecordModel, { description: 'A record the caller is party to (the regulator: any)' })
  @Allow(Permission.ReadLedger)
  async evidenceRecord(@Ctx() ctx: RequestContext, @Args() args: EvidenceIdArgs): Promise<EvidenceRecordModel> {
    return EvidenceRecordModel.from(await this.evidence.record(ctx, args.id));
  }

  @Query(() => EvidenceRecordConnection, { description: 'Records the caller is party to (the regulator: all), newest first, filtered' })
  @Allow(Permission.ReadLedger)
  evidenceRecords(@Ctx() ctx: RequestContext, @Args() args: EvidenceRecordsArgs): Promise<Connection<EvidenceRecordModel>> {
    return this.evidence.list(ctx, args);
  }

  @Query(() => EvidenceVerificationModel, { description: 'Public (no login): is this digest on record, by whom, when, where on the ledger' })
  @Allow(Permission.Public)
  verifyEvidence(@Args('digest', { type: () => EvidenceDigestInput }) digest: { alg: DigestAlgEnum; value: string }): Promise<EvidenceVerificationModel> {
    // The public hot path: the argument is typed structurally so the generic validation pipe (class
    // instantiation and reflection, ~6% of a verify) passes it by; checked here with the same answer.
    if (typeof digest.value !== 'string' || !HEX64.test(digest.value)) throw badInput('value must be 64 lowercase hex characters', 'VALIDATION_FAILED');
    return this.evidence.verify(digest.alg, digest.value);
  }

  @Mutation(() => EvidenceRecordModel, {
    description: 'Transfers the holding to another organisation (issuer or holder): the metadata and the original in custody are sealed again for the new holder; the old one stays a party',
  })
  @Allow(Permission.SubmitTransaction)
  async transferEvidenceHolding(@Ctx() ctx: RequestContext, @Args() args: TransferHoldingArgs): Promise<EvidenceRecordModel> {
    // Through custody: the original follows the holding.
    return EvidenceRecordModel.from(await this.originals.transferHolding(ctx, args.id, args.to));
  }

  @Mutation(() => EvidenceRecordModel, { description: 'Revokes a record (issuer): its status changes, nothing is deleted' })
  @Allow(Permission.SubmitTransaction)
  async revokeEvidence(@Ctx() ctx: RequestContext, @Args() args: RevokeEvidenceArgs): Promise<EvidenceRecordModel> {
    return EvidenceRecordModel.from(await this.evidence.revoke(ctx, args.id, args.reason));
  }

  @Subscription(() => EvidenceEventModel, { description: "A record's events once their blocks are durable (its parties and the regulator)", resolve: (e: EvidenceEventModel) => e })
  @Allow(Permission.ReadLedger)
  async evidenceEvents(@Ctx() ctx: RequestContext, @Args() args: EvidenceIdArgs): Promise<AsyncIterableIterator<EvidenceEventModel>> {
    await this.evidence.record(ctx, args.id);
    return eventsOf(this.ledger.committedBlocksIterator(EVIDENCE_CHANNEL), args.id);
  }

  // Field resolvers run under their parent's permission; what they reveal is checked here.

  @ResolveField(() => EvidenceMetadataModel, {
    description: "Decrypted for a recipient organisation (issuer, current holder's organisation, regulators); audited and recorded on chain as a view (a page's views in one transaction)",
  })
  metadata(@Ctx() ctx: RequestContext, @Parent() record: EvidenceRecordModel): Promise<EvidenceMetadataModel> {
    return this.evidence.metadata(ctx, record.id);
  }

  @ResolveField(() => JSONScalar, { description: 'The JWE (general JSON) holding holder identity and metadata, as recorded on chain (sealed again for the new holder by each transfer of holding)' })
  sealed(@Ctx() ctx: RequestContext, @Parent() record: EvidenceRecordModel): Promise<unknown> {
    return this.evidence.sealed(ctx, record);
  }

  @ResolveField(() => [EvidenceFlowModel], { description: 'Flow records, oldest first, as the ledger holds them' })
  async timeline(@Ctx() ctx: RequestContext, @Parent() record: EvidenceRecordModel): Promise<EvidenceFlowModel[]> {
    await this.evidence.record(ctx, record.id);
    return this.evidence.timeline(record.id);
  }

  @ResolveField(() => [SigningEnvelopeModel])
  async envelopes(@Ctx() ctx: RequestContext, @Parent() record: EvidenceRecordModel): Promise<SigningEnvelopeModel[]> {
    await this.evidence.record(ctx, record.id);
    return this.evidence.envelopesOf(record.id);
  }

  @ResolveField(() => JSONScalar, { description: 'Evidence certificate (ledger-formats §7), verifiable offline: zizhu evidence verify' })
  async certificate(@Ctx() ctx: RequestContext, @Parent() record: EvidenceRecordModel): Promise<unknown> {
    requirePrincipal(ctx);
    return this.evidence.certificate(await this.evidence.record(ctx, record.id));
  }
}

/** Certificates of publicly verified digests: whoever holds the document may prove it. */
@Resolver(() => PublicEvidenceModel)
export class PublicEvidenceResolver {
  constructor(private readonly evidence: EvidenceService) {}

  @ResolveField(() => JSONScalar, { description: 'Evidence certificate (ledger-formats §7)' })
  async certificate(@Parent() record: PublicEvidenceModel): Promise<unknown> {
    return this.evidence.certificate(await this.evidence.publicRecord(record.id));
  }
}

async function* eventsOf(blocks: AsyncIterableIterator<CommittedBlock>, id: string): AsyncIterableIterator<EvidenceEventModel> {
  for await (const block of blocks) {
    for (const receipt of block.receipts) {
      if (receipt.status !== 'COMMITTED') continue;
      for (const event of receipt.events) {
        const data = event.data as { id?: unknown; evidenceId?: unknown } | null;
        if (data?.id === id || data?.evidenceId === id) yield { evidenceId: id, type: event.type, data: event.data, tx: receipt.hash, height: block.header.height };
      }
    }
  }
}
