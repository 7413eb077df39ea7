import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionType } from '@zizhu/platform';
import type {
  LendingBidEntity,
  LendingClaimEntity,
  LendingClaimOfferEntity,
  LendingCollateralEntity,
  LendingFundMovementEntity,
  LendingInstalmentEntity,
  LendingLoanEntity,
} from '../entities/index.js';
import { CollateralStatusEnum, CollateralTypeEnum, FundMovementKindEnum, InstalmentStatusEnum, LoanStatusEnum, PersonKindEnum, RepaymentMethodEnum } from './lending-enums.js';

const ms = (d: Date | null) => (d ? d.getTime() : null);

@ObjectType('DocumentDigest')
export class DocumentDigestModel {
  @Field(() => String, { description: 'sha256 or sm3' })
  alg!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType('CollateralOwner', { description: "Who owns a collateral, decrypted for the registering platform and the regulator (audited)" })
export class CollateralOwnerModel {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  nationalId!: string;
}

@ObjectType('Collateral', { description: 'A digitised collateral asset: its id derives from type and normalised identifier; status visible to every member, owner sealed' })
export class CollateralModel {
  @Field(() => String)
  id!: string;

  @Field(() => CollateralTypeEnum)
  type!: CollateralTypeEnum;

  @Field(() => String, { description: 'Normalised (VIN, certificate number)' })
  identifier!: string;

  @Field(() => String, { description: 'fen' })
  appraisedValue!: string;

  @Field(() => [DocumentDigestModel])
  documents!: DocumentDigestModel[];

  @Field(() => String)
  registeredBy!: string;

  @Field(() => Float)
  registeredAt!: number;

  @Field(() => CollateralStatusEnum)
  status!: CollateralStatusEnum;

  @Field(() => String, { nullable: true, description: 'The loan holding the lien' })
  lienLoanId!: string | null;

  @Field(() => String, { nullable: true })
  lienPlatform!: string | null;

  static from(c: LendingCollateralEntity): CollateralModel {
    return {
      id: c.id,
      type: c.type as CollateralTypeEnum,
      identifier: c.identifier,
      appraisedValue: c.appraisedValue,
      documents: c.documents,
      registeredBy: c.registeredBy,
      registeredAt: c.registeredAt.getTime(),
      status: c.status as CollateralStatusEnum,
      lienLoanId: c.lienLoanId,
      lienPlatform: c.lienPlatform,
    };
  }
}

@ObjectType('CollateralConnection')
export class CollateralConnection extends ConnectionType(CollateralModel, 'Collateral') {}

@ObjectType('RepaymentShare')
export class RepaymentShareModel {
  @Field(() => String)
  claimId!: string;

  @Field(() => String, { description: 'The holder (customer id) when it was paid' })
  holder!: string;

  @Field(() => String)
  principal!: string;

  @Field(() => String)
  interest!: string;
}

@ObjectType('Instalment', { description: 'One line of a repayment plan, exact in fen' })
export class InstalmentModel {
  @Field(() => Int)
  k!: number;

  @Field(() => Float, { nullable: true, description: 'Due date (ms since the epoch); null while the listing is not funded' })
  dueAt!: number | null;

  @Field(() => String)
  principal!: string;

  @Field(() => String)
  interest!: string;

  @Field(() => String)
  total!: string;

  @Field(() => String, { description: 'Principal still owed after this instalment' })
  balance!: string;

  @Field(() => InstalmentStatusEnum, { nullable: true, description: 'null while the listing is not funded' })
  status!: InstalmentStatusEnum | null;

  @Field(() => Float, { nullable: true })
  paidAt!: number | null;

  @Field(() => Boolean)
  paidLate!: boolean;

  @Field(() => [RepaymentShareModel], { description: 'How it was paid to the claim holders (once paid)' })
  shares!: RepaymentShareModel[];
}

export function instalmentFrom(i: LendingInstalmentEntity, balance: bigint): InstalmentModel {
  return {
    k: i.k,
    dueAt: i.dueAt.getTime(),
    principal: i.principal,
    interest: i.interest,
    total: i.total,
    balance: String(balance),
    status: i.status as InstalmentStatusEnum,
    paidAt: ms(i.paidAt),
    paidLate: i.paidLate,
    shares: i.shares,
  };
}

@ObjectType('ClaimToken', { description: 'A claim on a loan: one per original lender, transferable whole' })
export class ClaimTokenModel {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  loanId!: string;

  @Field(() => String, { description: 'The holder (customer id)' })
  holder!: string;

  @Field(() => String)
  holderPlatform!: string;

  @Field(() => String, { description: 'Principal lent originally (fen)' })
  face!: string;

  @Field(() => String, { description: 'Principal still owed to the holder' })
  outstanding!: string;

  @Field(() => String)
  principalReceived!: string;

  @Field(() => String)
  interestReceived!: string;

  @Field(() => Float)
  acquiredAt!: number;

  @Field(() => Int)
  transfers!: number;

  static from(c: LendingClaimEntity): ClaimTokenModel {
    return {
      id: c.id,
      loanId: c.loanId,
      holder: c.holder,
      holderPlatform: c.holderPlatform,
      face: c.face,
      outstanding: c.outstanding,
      principalReceived: c.principalReceived,
      interestReceived: c.interestReceived,
      acquiredAt: c.acquiredAt.getTime(),
      transfers: c.transfers,
    };
  }
}

@ObjectType('ClaimOffer', { description: "An open offer to sell a claim to a lender at an agreed price (terms sealed to both platforms and the regulator)" })
export class ClaimOfferModel {
  @Field(() => String)
  loanId!: string;

  @Field(() => String)
  claimId!: string;

  @Field(() => String)
  seller!: string;

  @Field(() => String)
  sellerPlatform!: string;

  @Field(() => String)
  buyer!: string;

  @Field(() => String)
  buyerPlatform!: string;

  @Field(() => String, { description: 'fen' })
  price!: string;

  @Field(() => Float)
  offeredAt!: number;

  static from(o: LendingClaimOfferEntity): ClaimOfferModel {
    return { loanId: o.loanId, claimId: o.claimId, seller: o.seller, sellerPlatform: o.sellerPlatform, buyer: o.buyer, buyerPlatform: o.buyerPlatform, price: o.price, offeredAt: o.offeredAt.getTime() };
  }
}

@ObjectType('Bid', { description: "A lender's bid: the amount frozen in its custody account" })
export class BidModel {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  loanId!: string;

  @Field(() => String, { description: 'The lender (customer id)' })
  lender!: string;

  @Field(() => String)
  amount!: string;

  @Field(() => Float)
  at!: number;

  static from(b: LendingBidEntity): BidModel {
    return { id: b.id, loanId: b.loanId, lender: b.lender, amount: b.amount, at: b.at.getTime() };
  }
}

@ObjectType('LendingParty', { description: 'A custody account holder: pseudonymous, with the identity decrypted where the caller may read it (audited)' })
export class LendingPartyModel {
  @Field(() => String)
  customerId!: string;

  @Field(() => String, { nullable: true })
  platform!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  nationalId!: string | null;
}

@ObjectType('FundMovement', { description: 'One custody movement, as the contract made it (FundsMoved)' })
export class FundMovementModel {
  @Field(() => String)
  tx!: string;

  @Field(() => Int)
  idx!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => Float)
  at!: number;

  @Field(() => FundMovementKindEnum)
  kind!: FundMovementKindEnum;

  @Field(() => String, { nullable: true, description: 'Customer id the money left (null: it came in from the bank)' })
  from!: string | null;

  @Field(() => String, { nullable: true, description: 'Customer id it reached (null: it left to the bank)' })
  to!: string | null;

  @Field(() => String)
  amount!: string;

  @Field(() => String, { nullable: true })
  fromBank!: string | null;

  @Field(() => String, { nullable: true })
  toBank!: string | null;

  @Field(() => String, { nullable: true })
  loanId!: string | null;

  @Field(() => String, { nullable: true, description: "The bank's instruction reference" })
  ref!: string | null;

  @Field(() => LendingPartyModel, { nullable: true })
  fromParty!: LendingPartyModel | null;

  @Field(() => LendingPartyModel, { nullable: true })
  toParty!: LendingPartyModel | null;

  static from(m: LendingFundMovementEntity, parties?: Map<string, LendingPartyModel>): FundMovementModel {
    return {
      tx: m.tx,
      idx: m.idx,
      height: Number(m.height),
      at: m.at.getTime(),
      kind: m.kind as FundMovementKindEnum,
      from: m.fromAccount,
      to: m.toAccount,
      amount: m.amount,
      fromBank: m.fromBank,
      toBank: m.toBank,
      loanId: m.loanId,
      ref: m.ref,
      fromParty: m.fromAccount ? (parties?.get(m.fromAccount) ?? null) : null,
      toParty: m.toAccount ? (parties?.get(m.toAccount) ?? null) : null,
    };
  }
}

@ObjectType('Loan', { description: 'A listing (OPEN) and, once fully funded, the loan; the borrower is pseudonymous. Amounts in fen.' })
export class LoanModel {
  @Field(() => String, { description: 'The listing transaction hash' })
  id!: string;

  @Field(() => String)
  platform!: string;

  @Field(() => String)
  bank!: string;

  @Field(() => String, { description: 'The borrower (customer id)' })
  borrower!: string;

  @Field(() => PersonKindEnum)
  personKind!: PersonKindEnum;

  @Field(() => String)
  amount!: string;

  @Field(() => Int)
  aprBps!: number;

  @Field(() => Int, { description: 'The APR cap in force when listed' })
  aprCapBps!: number;

  @Field(() => Int)
  termMonths!: number;

  @Field(() => RepaymentMethodEnum)
  method!: RepaymentMethodEnum;

  @Field(() => String)
  purpose!: string;

  @Field(() => Float)
  fundingDeadline!: number;

  @Field(() => String, { nullable: true })
  collateralId!: string | null;

  @Field(() => LoanStatusEnum)
  status!: LoanStatusEnum;

  @Field(() => String)
  funded!: string;

  @Field(() => Float, { description: 'funded / amount, 0 to 1' })
  fundingProgress!: number;

  @Field(() => Int)
  bidCount!: number;

  @Field(() => Float)
  listedAt!: number;

  @Field(() => Float, { nullable: true })
  activatedAt!: number | null;

  @Field(() => Float, { nullable: true })
  maturesAt!: number | null;

  @Field(() => String, { description: 'Principal still owed' })
  outstanding!: string;

  @Field(() => Int, { description: 'The instalment to repay next (0: none)' })
  nextInstalment!: number;

  @Field(() => Int)
  overdueInstalments!: number;

  @Field(() => Float, { nullable: true })
  closedAt!: number | null;

  @Field(() => Float, { nullable: true })
  defaultedAt!: number | null;

  @Field(() => String, { nullable: true })
  defaultReason!: string | null;

  @Field(() => String)
  tx!: string;

  static from(l: LendingLoanEntity): LoanModel {
    const amount = BigInt(l.amount);
    return {
      id: l.id,
      platform: l.platform,
      bank: l.bank,
      borrower: l.borrower,
      personKind: l.personKind as PersonKindEnum,
      amount: l.amount,
      aprBps: l.aprBps,
      aprCapBps: l.aprCapBps,
      termMonths: l.termMonths,
      method: l.method as RepaymentMethodEnum,
      purpose: l.purpose,
      fundingDeadline: l.fundingDeadline.getTime(),
      collateralId: l.collateralId,
      status: l.status as LoanStatusEnum,
      funded: l.funded,
      fundingProgress: Number((BigInt(l.funded) * 10_000n) / amount) / 10_000,
      bidCount: l.bids,
      listedAt: l.listedAt.getTime(),
      activatedAt: ms(l.activatedAt),
      maturesAt: ms(l.maturesAt),
      outstanding: l.outstanding,
      nextInstalment: l.nextInstalment,
      overdueInstalments: l.overdueInstalments,
      closedAt: ms(l.closedAt),
      defaultedAt: ms(l.defaultedAt),
      defaultReason: l.defaultReason,
      tx: l.tx,
    };
  }
}

@ObjectType('LoanConnection')
export class LoanConnection extends ConnectionType(LoanModel, 'Loan') {}

@ObjectType('LoanListingDescription', { description: "The listing's description, decrypted for its platform and the regulator (audited)" })
export class ListingDescriptionModel {
  @Field(() => String, { nullable: true })
  description!: string | null;
}
