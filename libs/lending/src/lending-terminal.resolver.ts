import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, notFound, type Connection, type RequestContext } from '@zizhu/platform';
import { ClaimArgs, LoansArgs, NotificationsArgs, OfferClaimInput, PlaceMyBidInput, RepayArgs } from './dto/lending.inputs.js';
import { LendingAccess } from './lending-access.service.js';
import { LendingCustomersService } from './lending-customers.service.js';
import { LendingSupervisionService } from './lending-supervision.service.js';
import { LoansService } from './loans.service.js';
import { LendingCustomerModel } from './models/lending-customer.model.js';
import { ClaimOfferModel, ClaimTokenModel, LoanConnection, LoanModel } from './models/lending-loan.model.js';
import { LendingNotificationConnection, PortfolioModel, type LendingNotificationModel } from './models/lending-supervision.model.js';

/**
 * The terminal layer: a platform's customers themselves (users with the borrower or lender role,
 * each linked to its customer), acting only for that customer and signing with their own keys.
 * Their operations count against LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE too.
 */
@Resolver()
export class LendingTerminalResolver {
  constructor(
    private readonly access: LendingAccess,
    private readonly customers: LendingCustomersService,
    private readonly loans: LoansService,
    private readonly supervision: LendingSupervisionService,
  ) {}

  @Query(() => LendingCustomerModel, { description: "The caller's own customer record (identity, bank card, custody account)" })
  @Allow(Permission.UseLendingTerminal)
  async myLendingProfile(@Ctx() ctx: RequestContext): Promise<LendingCustomerModel> {
    return LendingCustomerModel.from((await this.access.terminal(ctx)).customer);
  }

  @Query(() => LendingNotificationConnection, { description: "The caller's notifications (instalments overdue, loans in default), newest first" })
  @Allow(Permission.UseLendingTerminal)
  async myLendingNotifications(@Ctx() ctx: RequestContext, @Args() args: NotificationsArgs): Promise<Connection<LendingNotificationModel>> {
    return this.supervision.notificationsOf((await this.access.terminal(ctx)).customer, args);
  }

  // ---- borrowers -------------------------------------------------------------------------------

  @Query(() => LoanConnection, { description: "A borrower's own listings and loans (with their repayment plans: schedule)" })
  @Allow(Permission.Borrow)
  async myLoans(@Ctx() ctx: RequestContext, @Args() args: LoansArgs): Promise<Connection<LoanModel>> {
    return this.loans.loansOfBorrower((await this.access.terminal(ctx, 'BORROWER')).customer, args);
  }

  @Mutation(() => LoanModel, { description: 'A borrower repays the next instalment of its own loan from its custody account' })
  @Allow(Permission.Borrow)
  async repayMyInstalment(@Ctx() ctx: RequestContext, @Args() args: RepayArgs): Promise<LoanModel> {
    const { principal, customer } = await this.access.terminal(ctx, 'BORROWER');
    const loan = await this.loans.loanRow(args.loanId);
    if (loan.borrower !== customer.id) throw notFound(`you have no loan ${args.loanId}`);
    return this.loans.repay(principal, args.loanId, args.instalment);
  }

  // ---- lenders ---------------------------------------------------------------------------------

  @Query(() => LoanConnection, { description: "Open listings of the lender's platform, newest first" })
  @Allow(Permission.Lend)
  async lendingMarket(@Ctx() ctx: RequestContext, @Args() args: LoansArgs): Promise<Connection<LoanModel>> {
    return this.loans.market((await this.access.terminal(ctx, 'LENDER')).customer, args);
  }

  @Mutation(() => LoanModel, { description: 'A lender bids on a listing of its platform from its own custody account' })
  @Allow(Permission.Lend)
  async placeMyBid(@Ctx() ctx: RequestContext, @Args('input') input: PlaceMyBidInput): Promise<LoanModel> {
    const { principal, customer } = await this.access.terminal(ctx, 'LENDER');
    return this.loans.bid(principal, customer, input.loanId, input.amount);
  }

  @Query(() => PortfolioModel, { description: "A lender's claims, principal outstanding and received, interest received, custody balances" })
  @Allow(Permission.Lend)
  async myPortfolio(@Ctx() ctx: RequestContext): Promise<PortfolioModel> {
    const { customer } = await this.access.terminal(ctx, 'LENDER');
    const claims = await this.loans.claimsHeldBy(customer.id);
    const account = await this.customers.account(customer.id);
    const sum = (pick: (c: (typeof claims)[number]) => string) => String(claims.reduce((s, c) => s + BigInt(pick(c)), 0n));
    return {
      customerId: customer.id,
      outstanding: sum((c) => c.outstanding),
      principalReceived: sum((c) => c.principalReceived),
      interestReceived: sum((c) => c.interestReceived),
      frozen: account.frozen,
      available: account.available,
      claims: claims.map(ClaimTokenModel.from),
    };
  }

  @Mutation(() => ClaimOfferModel, { description: 'A lender offers one of its claims to a lender of any platform at an agreed price' })
  @Allow(Permission.Lend)
  async offerMyClaim(@Ctx() ctx: RequestContext, @Args('input') input: OfferClaimInput): Promise<ClaimOfferModel> {
    const { principal, customer } = await this.access.terminal(ctx, 'LENDER');
    return this.loans.offerClaim(principal, customer, input);
  }

  @Mutation(() => ClaimTokenModel, { description: 'A lender accepts an offer made to it: it pays the price from its custody account and holds the claim' })
  @Allow(Permission.Lend)
  async acceptMyClaimOffer(@Ctx() ctx: RequestContext, @Args() args: ClaimArgs): Promise<ClaimTokenModel> {
    const { principal, customer } = await this.access.terminal(ctx, 'LENDER');
    return this.loans.acceptOffer(principal, args.loanId, args.claimId, customer);
  }
}
