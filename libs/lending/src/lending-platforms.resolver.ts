import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, type RequestContext } from '@zizhu/platform';
import { ConfigureLendingInput, PlatformOrgArgs, PublishLprInput, RegisterLendingPlatformInput, SuspendPlatformArgs, UpdateLendingPlatformInput } from './dto/lending.inputs.js';
import { LendingPlatformsService } from './lending-platforms.service.js';
import { LendingConfigModel, LendingPlatformModel, LprModel } from './models/lending-platform.model.js';

/** The regulator's rules and the platforms' onboarding by their custodian bank (operations layer). */
@Resolver(() => LendingPlatformModel)
export class LendingPlatformsResolver {
  constructor(private readonly platforms: LendingPlatformsService) {}

  @Query(() => LendingConfigModel, { description: 'The rules the lending contract applies now: caps, APR cap (mode, LPR in force), prohibited purposes, grace days' })
  @Allow(Permission.ReadLending)
  lendingConfig(): Promise<LendingConfigModel> {
    return this.platforms.config();
  }

  @Mutation(() => LendingConfigModel, { description: 'The regulator changes the rules (caps, APR cap mode, prohibited purposes, grace days)' })
  @Allow(Permission.OperateLending)
  configureLending(@Ctx() ctx: RequestContext, @Args('input') input: ConfigureLendingInput): Promise<LendingConfigModel> {
    return this.platforms.configure(ctx, input);
  }

  @Mutation(() => LprModel, { description: 'The regulator publishes the one-year LPR from a moment on (not in the past)' })
  @Allow(Permission.OperateLending)
  publishLpr(@Ctx() ctx: RequestContext, @Args('input') input: PublishLprInput): Promise<LprModel> {
    return this.platforms.publishLpr(ctx, input);
  }

  @Query(() => [LendingPlatformModel], { description: 'Every lending platform and its custodian bank' })
  @Allow(Permission.ReadLending)
  lendingPlatforms(@Ctx() ctx: RequestContext): Promise<LendingPlatformModel[]> {
    return this.platforms.list(ctx);
  }

  @Query(() => LendingPlatformModel)
  @Allow(Permission.ReadLending)
  lendingPlatform(@Ctx() ctx: RequestContext, @Args() args: PlatformOrgArgs): Promise<LendingPlatformModel> {
    return this.platforms.platform(ctx, args.org);
  }

  @Mutation(() => LendingPlatformModel, { description: "A bank registers a platform in its custody (PENDING); the same details again return the registration" })
  @Allow(Permission.OperateLending)
  registerLendingPlatform(@Ctx() ctx: RequestContext, @Args('input') input: RegisterLendingPlatformInput): Promise<LendingPlatformModel> {
    return this.platforms.register(ctx, input);
  }

  @Mutation(() => LendingPlatformModel, { description: 'Its custodian bank updates a platform (name, filing status, custody agreement)' })
  @Allow(Permission.OperateLending)
  updateLendingPlatform(@Ctx() ctx: RequestContext, @Args('input') input: UpdateLendingPlatformInput): Promise<LendingPlatformModel> {
    return this.platforms.update(ctx, input);
  }

  @Mutation(() => LendingPlatformModel, { description: 'Its custodian bank approves a FILED platform: ACTIVE, it may register customers, list and fund' })
  @Allow(Permission.OperateLending)
  approveLendingPlatform(@Ctx() ctx: RequestContext, @Args() args: PlatformOrgArgs): Promise<LendingPlatformModel> {
    return this.platforms.approve(ctx, args.org);
  }

  @Mutation(() => LendingPlatformModel, { description: 'Its custodian bank suspends a platform: it can no longer list or fund (repayments and withdrawals go on)' })
  @Allow(Permission.OperateLending)
  suspendLendingPlatform(@Ctx() ctx: RequestContext, @Args() args: SuspendPlatformArgs): Promise<LendingPlatformModel> {
    return this.platforms.suspend(ctx, args.org, args.reason);
  }

  @Mutation(() => LendingPlatformModel, { description: 'Its custodian bank resumes a suspended platform' })
  @Allow(Permission.OperateLending)
  resumeLendingPlatform(@Ctx() ctx: RequestContext, @Args() args: PlatformOrgArgs): Promise<LendingPlatformModel> {
    return this.platforms.resume(ctx, args.org);
  }
}
