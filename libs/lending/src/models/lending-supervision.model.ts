import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionType, JSONScalar } from '@zizhu/platform';
import type { LendingAlertEntity, LendingBankReportEntity, LendingBankTotalsEntity, LendingNotificationEntity, LendingReconciliationEntity } from '../entities/index.js';
import { LendingAlertReasonEnum, LendingNotificationKindEnum, ReconciliationStatusEnum } from './lending-enums.js';
import { ClaimTokenModel } from './lending-loan.model.js';

@ObjectType('LendingStats', { description: 'Supervisory figures of one platform, or of all (platform `*`); amounts in fen' })
export class LendingStatsModel {
  @Field(() => String, { description: 'The platform, or `*` for the whole consortium' })
  platform!: string;

  @Field(() => String, { description: 'Principal outstanding on ACTIVE, OVERDUE and DEFAULTED loans' })
  outstandingPrincipal!: string;

  @Field(() => String, { description: 'The part of it on OVERDUE and DEFAULTED loans' })
  overduePrincipal!: string;

  @Field(() => Float, { description: 'overduePrincipal / outstandingPrincipal (0 when nothing is outstanding)' })
  overdueRate!: number;

  @Field(() => Int, { description: 'Loans owing principal' })
  activeLoans!: number;

  @Field(() => Int)
  overdueLoans!: number;

  @Field(() => Int, { description: 'Persons owing principal (by pseudonym: one person on two platforms counts once in `*`)' })
  borrowers!: number;

  @Field(() => Int, { description: 'Persons holding claims with principal outstanding' })
  lenders!: number;

  @Field(() => String, { description: 'Principal owed by the largest borrower' })
  largestBorrowerPrincipal!: string;

  @Field(() => Float, { description: 'largestBorrowerPrincipal / outstandingPrincipal' })
  largestBorrowerShare!: number;

  @Field(() => Int, { description: 'Listings refused with CAP_EXCEEDED' })
  capBreachAttempts!: number;

  @Field(() => Int, { description: 'Listings refused with APR_CAP_EXCEEDED' })
  aprCapBreachAttempts!: number;

  @Field(() => Int, { description: 'Listings refused with DOUBLE_PLEDGE' })
  doublePledgeAttempts!: number;
}

@ObjectType('LendingDashboard', { description: "The regulator's view: the consortium in total and each platform" })
export class LendingDashboardModel {
  @Field(() => LendingStatsModel)
  total!: LendingStatsModel;

  @Field(() => [LendingStatsModel], { description: 'Every registered platform, by org' })
  platforms!: LendingStatsModel[];
}

@ObjectType('LendingAlert', { description: 'A listing the contract refused for a supervised reason; ids from the transaction' })
export class LendingAlertModel {
  @Field(() => String, { description: 'The REVERTED transaction (it stays in the log)' })
  tx!: string;

  @Field(() => LendingAlertReasonEnum)
  reason!: LendingAlertReasonEnum;

  @Field(() => String)
  method!: string;

  @Field(() => String, { nullable: true })
  platform!: string | null;

  @Field(() => String, { nullable: true, description: 'The borrower (customer id)' })
  borrower!: string | null;

  @Field(() => String, { nullable: true, description: 'The borrower pseudonym (the same person on every platform)' })
  borrowerRef!: string | null;

  @Field(() => String, { nullable: true })
  collateralId!: string | null;

  @Field(() => String, { nullable: true })
  amount!: string | null;

  @Field(() => Int, { nullable: true })
  aprBps!: number | null;

  @Field(() => String)
  message!: string;

  @Field(() => Int)
  height!: number;

  @Field(() => Float)
  at!: number;

  static from(a: LendingAlertEntity): LendingAlertModel {
    return {
      tx: a.tx,
      reason: a.reason as LendingAlertReasonEnum,
      method: a.method,
      platform: a.platform,
      borrower: a.borrower,
      borrowerRef: a.borrowerRef,
      collateralId: a.collateralId,
      amount: a.amount,
      aprBps: a.aprBps,
      message: a.message,
      height: Number(a.height),
      at: a.at.getTime(),
    };
  }
}

@ObjectType('LendingAlertConnection')
export class LendingAlertConnection extends ConnectionType(LendingAlertModel, 'LendingAlert') {}

@ObjectType('BankCustodyTotals', { description: "A custodian bank's totals on chain now (fen)" })
export class BankTotalsModel {
  @Field(() => String)
  bank!: string;

  @Field(() => Int)
  accounts!: number;

  @Field(() => String)
  available!: string;

  @Field(() => String)
  frozen!: string;

  @Field(() => String)
  deposited!: string;

  @Field(() => String)
  withdrawn!: string;

  @Field(() => String)
  transferredIn!: string;

  @Field(() => String)
  transferredOut!: string;

  @Field(() => Int)
  instructions!: number;

  @Field(() => Float)
  updatedAt!: number;

  static from(b: LendingBankTotalsEntity): BankTotalsModel {
    return {
      bank: b.bank,
      accounts: b.accounts,
      available: b.available,
      frozen: b.frozen,
      deposited: b.deposited,
      withdrawn: b.withdrawn,
      transferredIn: b.transferredIn,
      transferredOut: b.transferredOut,
      instructions: b.instructions,
      updatedAt: b.updatedAt.getTime(),
    };
  }
}

@ObjectType('BankCustodyReport', { description: "Totals a bank reported from its core banking system for a business day" })
export class BankReportModel {
  @Field(() => String)
  bank!: string;

  @Field(() => String, { description: 'YYYY-MM-DD (China Standard Time)' })
  businessDate!: string;

  @Field(() => Int)
  accounts!: number;

  @Field(() => String)
  available!: string;

  @Field(() => String)
  frozen!: string;

  @Field(() => String)
  reportedBy!: string;

  @Field(() => Float)
  reportedAt!: number;

  static from(r: LendingBankReportEntity): BankReportModel {
    return { bank: r.bank, businessDate: r.businessDate, accounts: r.accounts, available: r.available, frozen: r.frozen, reportedBy: r.reportedBy, reportedAt: r.reportedAt.getTime() };
  }
}

@ObjectType('CustodyDifference')
export class CustodyDifferenceModel {
  @Field(() => String, { description: 'accounts, available or frozen' })
  field!: string;

  @Field(() => String)
  chain!: string;

  @Field(() => String, { nullable: true })
  reported!: string | null;

  @Field(() => String, { nullable: true, description: 'reported − chain' })
  difference!: string | null;
}

@ObjectType('CustodyReconciliation', { description: "A bank's business day reconciled: the chain's closing custody totals against the bank's report" })
export class ReconciliationModel {
  @Field(() => String)
  bank!: string;

  @Field(() => String)
  businessDate!: string;

  @Field(() => ReconciliationStatusEnum)
  status!: ReconciliationStatusEnum;

  @Field(() => JSONScalar, { description: '{ accounts, available, frozen } at the end of the day on chain' })
  chain!: unknown;

  @Field(() => JSONScalar, { nullable: true })
  reported!: unknown;

  @Field(() => [CustodyDifferenceModel])
  differences!: CustodyDifferenceModel[];

  @Field(() => Float)
  checkedAt!: number;

  static from(r: LendingReconciliationEntity): ReconciliationModel {
    return {
      bank: r.bank,
      businessDate: r.businessDate,
      status: r.status as ReconciliationStatusEnum,
      chain: r.chain,
      reported: r.reported,
      differences: r.differences as unknown as CustodyDifferenceModel[],
      checkedAt: r.checkedAt.getTime(),
    };
  }
}

@ObjectType('CustodyReconciliationConnection')
export class ReconciliationConnection extends ConnectionType(ReconciliationModel, 'CustodyReconciliation') {}

@ObjectType('LendingNotification')
export class LendingNotificationModel {
  @Field(() => String)
  id!: string;

  @Field(() => LendingNotificationKindEnum)
  kind!: LendingNotificationKindEnum;

  @Field(() => String)
  org!: string;

  @Field(() => String, { nullable: true })
  customerId!: string | null;

  @Field(() => String)
  loanId!: string;

  @Field(() => Int, { nullable: true })
  instalment!: number | null;

  @Field(() => String)
  message!: string;

  @Field(() => Float)
  at!: number;

  static from(n: LendingNotificationEntity): LendingNotificationModel {
    return { id: n.id, kind: n.kind as LendingNotificationKindEnum, org: n.org, customerId: n.customerId, loanId: n.loanId, instalment: n.instalment, message: n.message, at: n.at.getTime() };
  }
}

@ObjectType('LendingNotificationConnection')
export class LendingNotificationConnection extends ConnectionType(LendingNotificationModel, 'LendingNotification') {}

@ObjectType('LenderPortfolio', { description: "A lender's claims and what they have brought (fen)" })
export class PortfolioModel {
  @Field(() => String)
  customerId!: string;

  @Field(() => String, { description: 'Principal outstanding over all claims held' })
  outstanding!: string;

  @Field(() => String)
  principalReceived!: string;

  @Field(() => String)
  interestReceived!: string;

  @Field(() => String, { description: 'Frozen in open bids' })
  frozen!: string;

  @Field(() => String)
  available!: string;

  @Field(() => [ClaimTokenModel])
  claims!: ClaimTokenModel[];
}
