import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, type Connection, type RequestContext } from '@zizhu/platform';
import {
  ClaimArgs,
  CollateralIdArgs,
  CollateralsArgs,
  CreateLoanListingInput,
  DeclareDefaultArgs,
  LoanIdArgs,
  LoansArgs,
  OfferClaimInput,
  PlaceBidInput,
  RegisterCollateralInput,
  RepayArgs,
} from './dto/lending.inputs.js';
import { LoansService } from './loans.service.js';
import {
  BidModel,
  ClaimOfferModel,
  ClaimTokenModel,
  CollateralConnection,
  CollateralModel,
  CollateralOwnerModel,
  FundMovementModel,
  InstalmentModel,
  ListingDescriptionModel,
  LoanConnection,
  LoanModel,
} from './models/lending-loan.model.js';
import { RegisteredCollateralModel } from './models/lending-results.model.js';

/** Listings, funding, claims, repayment and default, by the platforms for their customers (operations layer). */
@Resolver(() => LoanModel)
export class LoansResolver {
  constructor(private readonly lending: LoansService) {}

  @Mutation(() => LoanModel, { description: 'A platform lists a loan request for its borrower; refused (CONFLICT) with APR_CAP_EXCEEDED, CAP_EXCEEDED, DOUBLE_PLEDGE, PURPOSE_PROHIBITED, MATURITY_SPLITTING, …' })
  @Allow(Permission.OperateLending)
  createLoanListing(@Ctx() ctx: RequestContext, @Args('input') input: CreateLoanListingInput): Promise<LoanModel> {
    return this.lending.createListing(ctx, input);
  }

  @Mutation(() => LoanModel, { description: 'Cancels an OPEN listing (its platform; anyone after the funding deadline): bids unfrozen, collateral released' })
  @Allow(Permission.OperateLending)
  cancelLoanListing(@Ctx() ctx: RequestContext, @Args() args: LoanIdArgs): Promise<LoanModel> {
    return this.lending.cancelListing(ctx, args.loanId);
  }

  @Query(() => LoanModel, { description: 'A listing or loan (visible to every member, the borrower pseudonymous)' })
  @Allow(Permission.ReadLending)
  async loan(@Ctx() ctx: RequestContext, @Args() args: LoanIdArgs): Promise<LoanModel> {
    return LoanModel.from(await this.lending.loan(ctx, args.loanId));
  }

  @Query(() => LoanConnection, { description: 'Listings and loans, newest first' })
  @Allow(Permission.ReadLending)
  loans(@Ctx() ctx: RequestContext, @Args() args: LoansArgs): Promise<Connection<LoanModel>> {
    return this.lending.list(ctx, args);
  }

  @Mutation(() => LoanModel, { description: "A platform bids for its lender: frozen in the lender's custody account; the bid completing the amount starts the loan" })
  @Allow(Permission.OperateLending)
  placeBid(@Ctx() ctx: RequestContext, @Args('input') input: PlaceBidInput): Promise<LoanModel> {
    return this.lending.bidAsPlatform(ctx, input.loanId, input.lenderId, input.amount);
  }

  @Mutation(() => ClaimOfferModel, { description: "The holder's platform offers a whole claim to a lender of any platform at an agreed price" })
  @Allow(Permission.OperateLending)
  offerClaim(@Ctx() ctx: RequestContext, @Args('input') input: OfferClaimInput): Promise<ClaimOfferModel> {
    return this.lending.offerClaimAsPlatform(ctx, input);
  }

  @Mutation(() => ClaimTokenModel, { description: "The buyer's platform accepts: the price moves buyer → seller in custody, the claim changes hands" })
  @Allow(Permission.OperateLending)
  acceptClaimOffer(@Ctx() ctx: RequestContext, @Args() args: ClaimArgs): Promise<ClaimTokenModel> {
    return this.lending.acceptOfferAsPlatform(ctx, args.loanId, args.claimId);
  }

  @Mutation(() => ClaimTokenModel, { description: "The seller's or the buyer's platform withdraws an open offer" })
  @Allow(Permission.OperateLending)
  withdrawClaimOffer(@Ctx() ctx: RequestContext, @Args() args: ClaimArgs): Promise<ClaimTokenModel> {
    return this.lending.withdrawOffer(ctx, args.loanId, args.claimId);
  }

  @Mutation(() => LoanModel, { description: "The borrower's platform repays the next instalment from the borrower's custody account, pro rata to the claim holders" })
  @Allow(Permission.OperateLending)
  repayInstalment(@Ctx() ctx: RequestContext, @Args() args: RepayArgs): Promise<LoanModel> {
    return this.lending.repayAsPlatform(ctx, args.loanId, args.instalment);
  }

  @Mutation(() => LoanModel, { description: 'The platform or its custodian bank declares an OVERDUE loan in default: its collateral goes to ENFORCEMENT' })
  @Allow(Permission.OperateLending)
  declareLoanDefault(@Ctx() ctx: RequestContext, @Args() args: DeclareDefaultArgs): Promise<LoanModel> {
    return this.lending.declareDefault(ctx, args.loanId, args.reason);
  }

  // Field resolvers run under their parent's permission (operations or terminal); what they reveal is checked here.

  @ResolveField(() => [InstalmentModel], { description: 'The repayment plan, exact in fen (a listing: as it will be once funded, without due dates)' })
  async schedule(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<InstalmentModel[]> {
    return this.lending.schedule(await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => [ClaimTokenModel], { description: 'Claim tokens (operations: all, holders pseudonymous; a terminal lender: its own)' })
  async claims(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<ClaimTokenModel[]> {
    return this.lending.claimsOf(ctx, await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => [BidModel], { description: 'Who bid what: the listing platform, its custodian bank and the regulator (a terminal lender: its own bids)' })
  async bids(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<BidModel[]> {
    return this.lending.bidsOf(ctx, await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => [ClaimOfferModel], { description: 'Open claim sale offers: the platforms party to each and the regulator' })
  async offers(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<ClaimOfferModel[]> {
    return this.lending.offersOf(ctx, await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => [FundMovementModel], { description: 'Every custody movement of the loan, oldest first, parties decrypted where the caller may read them (audited): the regulator, the platform, the custodian bank' })
  async fundFlow(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<FundMovementModel[]> {
    return this.lending.fundFlow(ctx, await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => ListingDescriptionModel, { description: "The listing's description (the platform, the borrower and the regulator; decrypted, audited)" })
  async description(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<ListingDescriptionModel> {
    return this.lending.description(ctx, await this.lending.loan(ctx, loan.id));
  }

  @ResolveField(() => CollateralModel, { nullable: true })
  async collateral(@Ctx() ctx: RequestContext, @Parent() loan: LoanModel): Promise<CollateralModel | null> {
    return loan.collateralId ? CollateralModel.from(await this.lending.collateral(ctx, loan.collateralId)) : null;
  }
}

/** The collateral registry: status public to the members, owner sealed. */
@Resolver(() => CollateralModel)
export class CollateralResolver {
  constructor(private readonly lending: LoansService) {}

  @Mutation(() => RegisteredCollateralModel, { description: 'A platform digitises a collateral asset (owner sealed); the same type and identifier always map to the same asset' })
  @Allow(Permission.OperateLending)
  registerCollateral(@Ctx() ctx: RequestContext, @Args('input') input: RegisterCollateralInput): Promise<RegisteredCollateralModel> {
    return this.lending.registerCollateral(ctx, input);
  }

  @Query(() => CollateralModel, { description: 'A collateral asset and its status (FREE, PLEDGED with its lien, ENFORCEMENT)' })
  @Allow(Permission.ReadLending)
  async collateral(@Ctx() ctx: RequestContext, @Args() args: CollateralIdArgs): Promise<CollateralModel> {
    return CollateralModel.from(await this.lending.collateral(ctx, args.id));
  }

  @Query(() => CollateralConnection, { description: 'Collateral assets, newest first' })
  @Allow(Permission.ReadLending)
  collaterals(@Ctx() ctx: RequestContext, @Args() args: CollateralsArgs): Promise<Connection<CollateralModel>> {
    return this.lending.collateralList(ctx, args);
  }

  @ResolveField(() => CollateralOwnerModel, { description: 'The owner: for the registering platform and the regulator (decrypted, audited)' })
  async owner(@Ctx() ctx: RequestContext, @Parent() collateral: CollateralModel): Promise<CollateralOwnerModel> {
    return this.lending.collateralOwner(ctx, await this.lending.collateral(ctx, collateral.id));
  }
}
