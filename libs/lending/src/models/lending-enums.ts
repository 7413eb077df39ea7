import { registerEnumType } from '@nestjs/graphql';
import { APR_CAP_MODES, COLLATERAL_TYPES, CUSTOMER_ROLES, FILING_STATUSES, PERSON_KINDS, REPAYMENT_METHODS } from '@zizhu/contract-lending';

export enum FilingStatusEnum {
  FILED = 'FILED',
  FILING_IN_PROGRESS = 'FILING_IN_PROGRESS',
  NOT_FILED = 'NOT_FILED',
}
registerEnumType(FilingStatusEnum, { name: 'LendingFilingStatus', description: 'Filing with the local financial regulator' });

export enum PlatformStatusEnum {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(PlatformStatusEnum, { name: 'LendingPlatformStatus' });

export enum AprCapModeEnum {
  LPR_X4 = 'LPR_X4',
  LEGACY_24 = 'LEGACY_24',
}
registerEnumType(AprCapModeEnum, { name: 'AprCapMode', description: 'LPR_X4: 4 × the one-year LPR in force at listing; LEGACY_24: 24 %' });

export enum PersonKindEnum {
  NATURAL = 'NATURAL',
  LEGAL = 'LEGAL',
}
registerEnumType(PersonKindEnum, { name: 'PersonKind' });

export enum CustomerRoleEnum {
  LENDER = 'LENDER',
  BORROWER = 'BORROWER',
  GUARANTOR = 'GUARANTOR',
}
registerEnumType(CustomerRoleEnum, { name: 'LendingCustomerRole' });

export enum RepaymentMethodEnum {
  EQUAL_INSTALLMENT = 'EQUAL_INSTALLMENT',
  EQUAL_PRINCIPAL = 'EQUAL_PRINCIPAL',
  INTEREST_ONLY = 'INTEREST_ONLY',
}
registerEnumType(RepaymentMethodEnum, { name: 'RepaymentMethod', description: 'EQUAL_INSTALLMENT 等额本息, EQUAL_PRINCIPAL 等额本金, INTEREST_ONLY 先息后本' });

export enum CollateralTypeEnum {
  VEHICLE = 'VEHICLE',
  PROPERTY = 'PROPERTY',
  EQUIPMENT = 'EQUIPMENT',
  RECEIVABLE = 'RECEIVABLE',
  OTHER = 'OTHER',
}
registerEnumType(CollateralTypeEnum, { name: 'CollateralType' });

export enum CollateralStatusEnum {
  FREE = 'FREE',
  PLEDGED = 'PLEDGED',
  ENFORCEMENT = 'ENFORCEMENT',
}
registerEnumType(CollateralStatusEnum, { name: 'CollateralStatus' });

export enum LoanStatusEnum {
  OPEN = 'OPEN',
  ACTIVE = 'ACTIVE',
  OVERDUE = 'OVERDUE',
  DEFAULTED = 'DEFAULTED',
  REPAID = 'REPAID',
  CANCELLED = 'CANCELLED',
}
registerEnumType(LoanStatusEnum, { name: 'LoanStatus', description: 'OPEN: a listing being funded; then the loan' });

export enum InstalmentStatusEnum {
  DUE = 'DUE',
  OVERDUE = 'OVERDUE',
  PAID = 'PAID',
}
registerEnumType(InstalmentStatusEnum, { name: 'InstalmentStatus' });

export enum FundMovementKindEnum {
  DEPOSIT = 'DEPOSIT',
  WITHDRAWAL = 'WITHDRAWAL',
  BID_FREEZE = 'BID_FREEZE',
  BID_UNFREEZE = 'BID_UNFREEZE',
  DISBURSEMENT = 'DISBURSEMENT',
  REPAYMENT = 'REPAYMENT',
  CLAIM_SALE = 'CLAIM_SALE',
}
registerEnumType(FundMovementKindEnum, { name: 'FundMovementKind' });

export enum LendingAlertReasonEnum {
  DOUBLE_PLEDGE = 'DOUBLE_PLEDGE',
  CAP_EXCEEDED = 'CAP_EXCEEDED',
  APR_CAP_EXCEEDED = 'APR_CAP_EXCEEDED',
}
registerEnumType(LendingAlertReasonEnum, { name: 'LendingAlertReason' });

export enum ReconciliationStatusEnum {
  MATCHED = 'MATCHED',
  MISMATCHED = 'MISMATCHED',
  NOT_REPORTED = 'NOT_REPORTED',
}
registerEnumType(ReconciliationStatusEnum, { name: 'ReconciliationStatus', description: "NOT_REPORTED: the bank sent no totals for the day" });

export enum LendingNotificationKindEnum {
  INSTALMENT_OVERDUE = 'INSTALMENT_OVERDUE',
  LOAN_DEFAULTED = 'LOAN_DEFAULTED',
}
registerEnumType(LendingNotificationKindEnum, { name: 'LendingNotificationKind' });

// The contract's lists and these enums must not drift apart.
for (const [name, values, contract] of [
  ['FilingStatusEnum', Object.values(FilingStatusEnum), FILING_STATUSES],
  ['AprCapModeEnum', Object.values(AprCapModeEnum), APR_CAP_MODES],
  ['PersonKindEnum', Object.values(PersonKindEnum), PERSON_KINDS],
  ['CustomerRoleEnum', Object.values(CustomerRoleEnum), CUSTOMER_ROLES],
  ['RepaymentMethodEnum', Object.values(RepaymentMethodEnum), REPAYMENT_METHODS],
  ['CollateralTypeEnum', Object.values(CollateralTypeEnum), COLLATERAL_TYPES],
] as const) {
  if ([...values].sort().join() !== [...contract].sort().join()) throw new Error(`${name} differs from the lending contract's list`);
}
