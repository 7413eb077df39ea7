import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, type RequestContext } from '@zizhu/platform';
import { CreateSigningEnvelopeInput, EnvelopeIdArgs, EnvelopeReasonArgs } from './dto/evidence.inputs.js';
import { EvidenceService } from './evidence.service.js';
import { SigningEnvelopeModel } from './models/signing-envelope.model.js';

/**
 * Ordered multi-party signing of an anchored E_CONTRACT. Each signer's key is held by this node:
 * signing signs the digest with the caller's own key and submits it as the caller.
 */
@Resolver(() => SigningEnvelopeModel)
export class SigningEnvelopesResolver {
  constructor(private readonly evidence: EvidenceService) {}

  @Mutation(() => SigningEnvelopeModel, { description: 'Creates a signing envelope over an E_CONTRACT (issuer or holder) and sends it to the first routing order' })
  @Allow(Permission.SubmitTransaction)
  createSigningEnvelope(@Ctx() ctx: RequestContext, @Args('input') input: CreateSigningEnvelopeInput): Promise<SigningEnvelopeModel> {
    return this.evidence.createEnvelope(ctx, input);
  }

  @Query(() => SigningEnvelopeModel)
  @Allow(Permission.ReadLedger)
  signingEnvelope(@Ctx() ctx: RequestContext, @Args() args: EnvelopeIdArgs): Promise<SigningEnvelopeModel> {
    return this.evidence.envelope(ctx, args.envelopeId);
  }

  @Mutation(() => SigningEnvelopeModel, { description: "Signs with the caller's key (when it is their routing order's turn)" })
  @Allow(Permission.SubmitTransaction)
  signEnvelope(@Ctx() ctx: RequestContext, @Args() args: EnvelopeIdArgs): Promise<SigningEnvelopeModel> {
    return this.evidence.sign(ctx, args.envelopeId);
  }

  @Mutation(() => SigningEnvelopeModel, { description: 'Declines to sign, with a reason: the envelope becomes DECLINED' })
  @Allow(Permission.SubmitTransaction)
  declineEnvelope(@Ctx() ctx: RequestContext, @Args() args: EnvelopeReasonArgs): Promise<SigningEnvelopeModel> {
    return this.evidence.decline(ctx, args.envelopeId, args.reason);
  }

  @Mutation(() => SigningEnvelopeModel, { description: 'Voids an unfinished envelope (its sender)' })
  @Allow(Permission.SubmitTransaction)
  voidEnvelope(@Ctx() ctx: RequestContext, @Args() args: EnvelopeReasonArgs): Promise<SigningEnvelopeModel> {
    return this.evidence.void(ctx, args.envelopeId, args.reason);
  }
}
