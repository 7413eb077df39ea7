import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JsonValue } from '@zizhu/chain';
import { ContractError } from '@zizhu/chain';
import { LendingContract, repaymentSchedule, type CollateralType, type RepaymentMethod } from '@zizhu/contract-lending';
import {
  CLOCK,
  FieldEncryptionService,
  OrganizationDirectory,
  badInput,
  conflict,
  forbidden,
  newestFirstPage,
  notFound,
  type Clock,
  type Connection,
  type Principal,
  type RequestContext,
} from '@zizhu/platform';
import type { Repository } from 'typeorm';
import type { CollateralsArgs, CreateLoanListingInput, LoansArgs, OfferClaimInput, RegisterCollateralInput } from './dto/lending.inputs.js';
import {
  LendingBidEntity,
  LendingClaimEntity,
  LendingClaimOfferEntity,
  LendingCollateralEntity,
  LendingCustomerEntity,
  LendingFundMovementEntity,
  LendingInstalmentEntity,
  LendingLoanEntity,
} from './entities/index.js';
import { LendingAccess, type LendingViewer } from './lending-access.service.js';
import { LendingCustomersService } from './lending-customers.service.js';
import {
  BidModel,
  ClaimOfferModel,
  ClaimTokenModel,
  CollateralModel,
  FundMovementModel,
  LoanModel,
  instalmentFrom,
  type CollateralOwnerModel,
  type InstalmentModel,
  type ListingDescriptionModel,
} from './models/lending-loan.model.js';

const HEX64 = /^[0-9a-f]{64}$/;

export const listingAad = (borrowerId: string) => `lending:listing:${borrowerId}`;
export const collateralOwnerAad = (collateralId: string) => `lending:collateral:${collateralId}`;
export const bidAad = (loanId: string) => `lending:bid:${loanId}`;
export const offerAad = (loanId: string, claimId: string) => `lending:offer:${loanId}:${claimId}`;

/**
 * Collateral, listings, funding, claims and repayment. Platforms act for their own customers
 * (operations layer) and terminal users for themselves, both signing with their own keys; the
 * contract enforces the rules (caps, APR cap, double pledges, pro-rata repayment), and its
 * refusals answer CONFLICT with the contract's reason. Listings are visible to every member, the
 * borrower pseudonymous; who bid, who holds and what a sale says are sealed to the parties and the regulator.
 */
@Injectable()
export class LoansService {
  constructor(
    private readonly access: LendingAccess,
    private readonly customers: LendingCustomersService,
    private readonly encryption: FieldEncryptionService,
    private readonly organizations: OrganizationDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectRepository(LendingLoanEntity) private readonly loans: Repository<LendingLoanEntity>,
    @InjectRepository(LendingCollateralEntity) private readonly collaterals: Repository<LendingCollateralEntity>,
    @InjectRepository(LendingBidEntity) private readonly bids: Repository<LendingBidEntity>,
    @InjectRepository(LendingClaimEntity) private readonly claims: Repository<LendingClaimEntity>,
    @InjectRepository(LendingClaimOfferEntity) private readonly offers: Repository<LendingClaimOfferEntity>,
    @InjectRepository(LendingInstalmentEntity) private readonly instalments: Repository<LendingInstalmentEntity>,
    @InjectRepository(LendingFundMovementEntity) private readonly movements: Repository<LendingFundMovementEntity>,
  ) {}

  // ---- collateral --------------------------------------------------------------------------------

  /** Digitises an asset (its id from type and normalised identifier); an asset registered already comes back as it is, `created: false`. */
  async registerCollateral(ctx: RequestContext, input: RegisterCollateralInput): Promise<{ collateral: CollateralModel; created: boolean }> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    let id: string;
    try {
      id = LendingContract.collateralId(input.type as CollateralType, input.identifier);
    } catch (e) {
      if (e instanceof ContractError) throw badInput(e.message, e.code);
      throw e;
    }
    const existing = await this.collaterals.findOneBy({ id });
    if (existing) return { collateral: CollateralModel.from(existing), created: false };
    const sealedOwner = await this.encryption.encryptFor([principal.org, ...(await this.organizations.regulators())], { name: input.ownerName.trim(), nationalId: input.ownerNationalId.trim() }, { aad: collateralOwnerAad(id) });
    const receipt = await this.access.submit(principal, 'registerCollateral', {
      type: input.type,
      identifier: input.identifier,
      appraisedValue: input.appraisedValue,
      documents: input.documents.map((d) => ({ alg: d.alg, value: d.value })),
      sealedOwner: sealedOwner as unknown as JsonValue,
    });
    return { collateral: CollateralModel.from((await this.collaterals.findOneBy({ id }))!), created: (receipt.value as { created: boolean }).created };
  }

  /** Collateral status is visible to every member (a platform checks an asset before lending on it). */
  async collateral(ctx: RequestContext, id: string): Promise<LendingCollateralEntity> {
    await this.access.viewer(ctx);
    const row = await this.collaterals.findOneBy({ id });
    if (!row) throw notFound(`no collateral ${id}`);
    return row;
  }

  async collateralList(ctx: RequestContext, args: CollateralsArgs): Promise<Connection<CollateralModel>> {
    await this.access.member(ctx);
    const q = this.collaterals.createQueryBuilder('c');
    if (args.status) q.andWhere('c.status = :status', { status: args.status });
    return newestFirstPage(q, args, { kind: 'collateral', time: 'c.registered_at', id: 'c.id', idPattern: HEX64, timeOf: (c) => c.registeredAt, idOf: (c) => c.id }, CollateralModel.from);
  }

  /** The owner, for the registering platform and the regulator (audited). */
  async collateralOwner(ctx: RequestContext, collateral: LendingCollateralEntity): Promise<CollateralOwnerModel> {
    const viewer = await this.access.viewer(ctx);
    if (viewer.layer === 'terminal') throw forbidden("a collateral's owner is for operations staff", 'OPERATIONS_ONLY');
    return this.encryption.decryptJson<CollateralOwnerModel>(ctx, collateral.sealedOwner as never, {
      object: `lending-collateral:${collateral.id}`,
      field: 'owner',
      purpose: 'view',
      module: 'lending',
      aad: collateralOwnerAad(collateral.id),
    });
  }

  // ---- listings ----------------------------------------------------------------------------------

  async createListing(ctx: RequestContext, input: CreateLoanListingInput): Promise<LoanModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    const borrower = await this.customers.ownCustomer(principal, input.borrowerId);
    const args: Record<string, JsonValue> = {
      borrower: borrower.id,
      amount: input.amount,
      aprBps: input.aprBps,
      termMonths: input.termMonths,
      method: input.method,
      purpose: input.purpose,
      fundingDeadline: input.fundingDeadline,
    };
    if (input.collateralId) args.collateralId = input.collateralId;
    if (input.description) {
      args.sealed = (await this.encryption.encryptFor([principal.org, ...(await this.organizations.regulators())], { description: input.description }, { aad: listingAad(borrower.id) })) as unknown as JsonValue;
    }
    const receipt = await this.access.submit(principal, 'createListing', args);
    return this.loanModel((receipt.value as { loanId: string }).loanId);
  }

  /** Cancels an OPEN listing: its platform any time, any member after the funding deadline. */
  async cancelListing(ctx: RequestContext, loanId: string): Promise<LoanModel> {
    const { principal } = await this.access.member(ctx);
    const loan = await this.loanRow(loanId);
    if (principal.org !== loan.platform && this.clock() <= loan.fundingDeadline.getTime()) {
      throw forbidden(`only ${loan.platform} may cancel loan ${loanId} before its funding deadline`, 'FUNDING_OPEN');
    }
    await this.access.submit(principal, 'cancelListing', { loanId });
    return this.loanModel(loanId);
  }

  /** A loan the viewer may see: every member's staff (listings are public to the members, the borrower pseudonymous); a terminal caller its own. */
  async loan(ctx: RequestContext, id: string): Promise<LendingLoanEntity> {
    const viewer = await this.access.viewer(ctx);
    const row = await this.loans.findOneBy({ id });
    if (!row || !(await this.maySee(viewer, row))) throw notFound(`no loan ${id} is visible to ${viewer.principal.org}`);
    return row;
  }

  async list(ctx: RequestContext, args: LoansArgs): Promise<Connection<LoanModel>> {
    await this.access.member(ctx);
    return this.page(args, (q) => {
      if (args.status) q.andWhere('l.status = :status', { status: args.status });
      if (args.platform) q.andWhere('l.platform = :platform', { platform: args.platform });
      if (args.borrowerId) q.andWhere('l.borrower = :borrower', { borrower: args.borrowerId });
    });
  }

  /** A borrower's own loans (terminal). */
  async loansOfBorrower(customer: LendingCustomerEntity, args: LoansArgs): Promise<Connection<LoanModel>> {
    return this.page(args, (q) => {
      q.andWhere('l.borrower = :borrower', { borrower: customer.id });
      if (args.status) q.andWhere('l.status = :status', { status: args.status });
    });
  }

  /** Open listings on a lender's platform (terminal). */
  async market(customer: LendingCustomerEntity, args: LoansArgs): Promise<Connection<LoanModel>> {
    return this.page(args, (q) => q.andWhere("l.platform = :platform AND l.status = 'OPEN'", { platform: customer.platform }));
  }

  private async page(args: LoansArgs, where: (q: ReturnType<Repository<LendingLoanEntity>['createQueryBuilder']>) => void): Promise<Connection<LoanModel>> {
    const q = this.loans.createQueryBuilder('l');
    where(q);
    return newestFirstPage(q, args, { kind: 'loan', time: 'l.listed_at', id: 'l.id', idPattern: HEX64, timeOf: (l) => l.listedAt, idOf: (l) => l.id }, LoanModel.from);
  }

  async description(ctx: RequestContext, loan: LendingLoanEntity): Promise<ListingDescriptionModel> {
    if (!loan.sealed) return { description: null };
    const viewer = await this.access.viewer(ctx);
    if (viewer.layer === 'terminal' && viewer.customer.id !== loan.borrower) throw forbidden("a listing's description is for its platform, its borrower and the regulator", 'NOT_A_RECIPIENT');
    return this.encryption.decryptJson<ListingDescriptionModel>(ctx, loan.sealed as never, { object: `lending-loan:${loan.id}`, field: 'description', purpose: 'view', module: 'lending', aad: listingAad(loan.borrower) });
  }

  // ---- funding -----------------------------------------------------------------------------------

  /** A bid for `lender` (a customer of the signer's platform): the amount frozen; the bid completing the amount starts the loan. */
  async bid(principal: Principal, lender: LendingCustomerEntity, loanId: string, amount: string): Promise<LoanModel> {
    const loan = await this.loanRow(loanId);
    const sealed = await this.encryption.encryptFor([loan.platform, ...(await this.organizations.regulators())], { lender: lender.id, amount }, { aad: bidAad(loanId) });
    await this.access.submit(principal, 'bid', { loanId, lender: lender.id, amount, sealed: sealed as unknown as JsonValue });
    return this.loanModel(loanId);
  }

  async bidAsPlatform(ctx: RequestContext, loanId: string, lenderId: string, amount: string): Promise<LoanModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    return this.bid(principal, await this.customers.ownCustomer(principal, lenderId), loanId, amount);
  }

  // ---- claims ------------------------------------------------------------------------------------

  /** Offers a claim held by `seller` (a customer of the signer's platform) to a lender of any platform. */
  async offerClaim(principal: Principal, seller: LendingCustomerEntity, input: OfferClaimInput): Promise<ClaimOfferModel> {
    const claim = await this.claims.findOneBy({ id: input.claimId, loanId: input.loanId });
    if (!claim || claim.holder !== seller.id) throw notFound(`${seller.id} holds no claim ${input.claimId} of loan ${input.loanId}`);
    const buyer = await this.customers.findCustomer(input.buyerId);
    if (!buyer) throw conflict(`customer ${input.buyerId} is not registered`, 'CUSTOMER_NOT_FOUND');
    const sealed = await this.encryption.encryptFor(
      [seller.platform, buyer.platform, ...(await this.organizations.regulators())],
      { seller: seller.id, buyer: buyer.id, price: input.price },
      { aad: offerAad(input.loanId, input.claimId) },
    );
    await this.access.submit(principal, 'offerClaim', { loanId: input.loanId, claimId: input.claimId, buyer: buyer.id, price: input.price, sealed: sealed as unknown as JsonValue });
    return ClaimOfferModel.from((await this.offers.findOneBy({ loanId: input.loanId, claimId: input.claimId }))!);
  }

  async offerClaimAsPlatform(ctx: RequestContext, input: OfferClaimInput): Promise<ClaimOfferModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    const claim = await this.claims.findOneBy({ id: input.claimId, loanId: input.loanId });
    if (!claim || claim.holderPlatform !== principal.org) throw notFound(`${principal.org} has no customer holding claim ${input.claimId} of loan ${input.loanId}`);
    return this.offerClaim(principal, await this.customers.ownCustomer(principal, claim.holder), input);
  }

  /** The buyer's platform accepts (for `buyer`, or any of its customers): the price moves buyer → seller, the claim changes hands. */
  async acceptOffer(principal: Principal, loanId: string, claimId: string, buyer?: LendingCustomerEntity): Promise<ClaimTokenModel> {
    const offer = await this.offers.findOneBy({ loanId, claimId });
    if (!offer || offer.buyerPlatform !== principal.org || (buyer && offer.buyer !== buyer.id)) throw notFound(`no open offer of claim ${claimId} of loan ${loanId} to ${buyer?.id ?? principal.org}`);
    await this.access.submit(principal, 'acceptClaimOffer', { loanId, claimId });
    return ClaimTokenModel.from((await this.claims.findOneBy({ id: claimId }))!);
  }

  async acceptOfferAsPlatform(ctx: RequestContext, loanId: string, claimId: string): Promise<ClaimTokenModel> {
    return this.acceptOffer(await this.access.operator(ctx, 'PLATFORM'), loanId, claimId);
  }

  async withdrawOffer(ctx: RequestContext, loanId: string, claimId: string): Promise<ClaimTokenModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    const offer = await this.offers.findOneBy({ loanId, claimId });
    if (!offer || (offer.sellerPlatform !== principal.org && offer.buyerPlatform !== principal.org)) throw notFound(`no open offer of claim ${claimId} of loan ${loanId} concerns ${principal.org}`);
    await this.access.submit(principal, 'withdrawClaimOffer', { loanId, claimId });
    return ClaimTokenModel.from((await this.claims.findOneBy({ id: claimId }))!);
  }

  // ---- repayment and default ---------------------------------------------------------------------

  /** Repays instalment k (the next unpaid one) from the borrower's custody account, pro rata to the claim holders. */
  async repay(principal: Principal, loanId: string, instalment: number): Promise<LoanModel> {
    await this.access.submit(principal, 'repay', { loanId, instalment });
    return this.loanModel(loanId);
  }

  async repayAsPlatform(ctx: RequestContext, loanId: string, instalment: number): Promise<LoanModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    const loan = await this.loanRow(loanId);
    if (loan.platform !== principal.org) throw notFound(`${principal.org} has no loan ${loanId}`);
    return this.repay(principal, loanId, instalment);
  }

  /** The loan's platform or custodian bank declares an OVERDUE loan in default: its collateral goes to ENFORCEMENT. */
  async declareDefault(ctx: RequestContext, loanId: string, reason: string): Promise<LoanModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM', 'BANK');
    const loan = await this.loanRow(loanId);
    if (loan.platform !== principal.org && loan.bank !== principal.org) throw forbidden(`only ${loan.platform} or ${loan.bank} may declare loan ${loanId} in default`, 'NOT_A_PARTY');
    await this.access.submit(principal, 'declareDefault', { loanId, reason });
    return this.loanModel(loanId);
  }

  // ---- a loan's parts ----------------------------------------------------------------------------

  /** The repayment plan: the instalments fixed at activation, or, for a listing, what they will be (without due dates). */
  async schedule(loan: LendingLoanEntity): Promise<InstalmentModel[]> {
    const rows = await this.instalments.find({ where: { loanId: loan.id }, order: { k: 'ASC' } });
    if (rows.length > 0) {
      let balance = BigInt(loan.amount);
      return rows.map((i) => instalmentFrom(i, (balance -= BigInt(i.principal))));
    }
    return repaymentSchedule(BigInt(loan.amount), loan.aprBps, loan.termMonths, loan.method as RepaymentMethod).map((s) => ({
      k: s.k,
      dueAt: null,
      principal: String(s.principal),
      interest: String(s.interest),
      total: String(s.total),
      balance: String(s.balance),
      status: null,
      paidAt: null,
      paidLate: false,
      shares: [],
    }));
  }

  /** Claims of the loan: operations staff all of them (holders pseudonymous), a terminal caller its own. */
  async claimsOf(ctx: RequestContext, loan: LendingLoanEntity): Promise<ClaimTokenModel[]> {
    const viewer = await this.access.viewer(ctx);
    const rows = await this.claims.find({ where: { loanId: loan.id }, order: { id: 'ASC' } });
    return rows.filter((c) => viewer.layer === 'operations' || c.holder === viewer.customer.id).map(ClaimTokenModel.from);
  }

  /** Who bid what: the listing's platform, its custodian bank and the regulator; a terminal lender its own bids. */
  async bidsOf(ctx: RequestContext, loan: LendingLoanEntity): Promise<BidModel[]> {
    const viewer = await this.access.viewer(ctx);
    const rows = await this.bids.find({ where: { loanId: loan.id }, order: { at: 'ASC', id: 'ASC' } });
    if (viewer.layer === 'terminal') return rows.filter((b) => b.lender === viewer.customer.id).map(BidModel.from);
    if (viewer.kind === 'REGULATOR' || viewer.principal.org === loan.platform || viewer.principal.org === loan.bank) return rows.map(BidModel.from);
    throw forbidden(`who bid on loan ${loan.id} is for ${loan.platform}, ${loan.bank} and the regulator`, 'NOT_A_PARTY');
  }

  /** Open sale offers of the loan's claims: the platforms party to each and the regulator; a terminal caller its own. */
  async offersOf(ctx: RequestContext, loan: LendingLoanEntity): Promise<ClaimOfferModel[]> {
    const viewer = await this.access.viewer(ctx);
    const rows = await this.offers.find({ where: { loanId: loan.id }, order: { offeredAt: 'ASC' } });
    return rows
      .filter((o) =>
        viewer.layer === 'terminal'
          ? o.seller === viewer.customer.id || o.buyer === viewer.customer.id
          : viewer.kind === 'REGULATOR' || o.sellerPlatform === viewer.principal.org || o.buyerPlatform === viewer.principal.org,
      )
      .map(ClaimOfferModel.from);
  }

  /**
   * Every custody movement of the loan (bids frozen and unfrozen, disbursement, repayments, claim
   * sales), oldest first, with the parties' identities decrypted where the caller may read them
   * (audited): the regulator all of them, a platform its own customers, the custodian bank none.
   */
  async fundFlow(ctx: RequestContext, loan: LendingLoanEntity, purpose = 'fund flow'): Promise<FundMovementModel[]> {
    const viewer = await this.access.viewer(ctx);
    if (viewer.layer === 'terminal' || (viewer.kind !== 'REGULATOR' && viewer.principal.org !== loan.platform && viewer.principal.org !== loan.bank)) {
      throw forbidden(`the fund flow of loan ${loan.id} is for ${loan.platform}, ${loan.bank} and the regulator`, 'NOT_A_PARTY');
    }
    const rows = await this.movements.find({ where: { loanId: loan.id }, order: { leafIndex: 'ASC', idx: 'ASC' } });
    const parties = await this.customers.parties(ctx, rows.flatMap((m) => [m.fromAccount, m.toAccount].filter((a): a is string => a !== null)), purpose);
    return rows.map((m) => FundMovementModel.from(m, parties));
  }

  /** The loans a terminal caller may see: its own as borrower, open listings of its platform, and those it bid on or holds a claim of. */
  private async maySee(viewer: LendingViewer, loan: LendingLoanEntity): Promise<boolean> {
    if (viewer.layer === 'operations') return true;
    const c = viewer.customer;
    if (loan.borrower === c.id || (loan.status === 'OPEN' && loan.platform === c.platform)) return true;
    return (await this.claims.existsBy({ loanId: loan.id, holder: c.id })) || (await this.bids.existsBy({ loanId: loan.id, lender: c.id }));
  }

  async loanRow(id: string): Promise<LendingLoanEntity> {
    const row = await this.loans.findOneBy({ id });
    if (!row) throw notFound(`no loan ${id}`);
    return row;
  }

  async loanModel(id: string): Promise<LoanModel> {
    return LoanModel.from(await this.loanRow(id));
  }

  /** Claims held by a customer (a lender's portfolio). */
  claimsHeldBy(customerId: string): Promise<LendingClaimEntity[]> {
    return this.claims.find({ where: { holder: customerId }, order: { acquiredAt: 'DESC', id: 'ASC' } });
  }

  /** Instalments not paid by their due date plus the grace days, as of the node's clock (the overdue job). */
  dueForOverdue(graceDays: number, limit: number): Promise<LendingInstalmentEntity[]> {
    return this.instalments
      .createQueryBuilder('i')
      .where("i.status = 'DUE'")
      .andWhere('i.due_at < :cutoff', { cutoff: new Date(this.clock() - graceDays * LendingContract.DAY_MS) })
      .orderBy('i.due_at', 'ASC')
      .limit(limit)
      .getMany();
  }
}
