import { LendingAccountEntity, LendingCustomerEntity, LendingTerminalUserEntity } from './lending-customer.entity.js';
import {
  LendingBankReportEntity,
  LendingBankTotalsDailyEntity,
  LendingBankTotalsEntity,
  LendingCustodyInstructionEntity,
  LendingFundMovementEntity,
  LendingReconciliationEntity,
} from './lending-custody.entity.js';
import { LendingBidEntity, LendingClaimEntity, LendingClaimOfferEntity, LendingCollateralEntity, LendingInstalmentEntity, LendingLoanEntity } from './lending-loan.entity.js';
import { LendingConfigEntity, LendingLprEntity, LendingPlatformEntity } from './lending-platform.entity.js';
import { LendingAlertEntity, LendingExposureEntity, LendingNotificationEntity, LendingStatsEntity } from './lending-supervision.entity.js';

export * from './lending-customer.entity.js';
export * from './lending-custody.entity.js';
export * from './lending-loan.entity.js';
export * from './lending-platform.entity.js';
export * from './lending-supervision.entity.js';

/** Every read model of the lending module (the tables of CreateLendingReadModels). */
export const LENDING_ENTITIES = [
  LendingPlatformEntity,
  LendingConfigEntity,
  LendingLprEntity,
  LendingCustomerEntity,
  LendingAccountEntity,
  LendingTerminalUserEntity,
  LendingBankTotalsEntity,
  LendingBankTotalsDailyEntity,
  LendingCustodyInstructionEntity,
  LendingBankReportEntity,
  LendingReconciliationEntity,
  LendingFundMovementEntity,
  LendingCollateralEntity,
  LendingLoanEntity,
  LendingBidEntity,
  LendingClaimEntity,
  LendingClaimOfferEntity,
  LendingInstalmentEntity,
  LendingAlertEntity,
  LendingStatsEntity,
  LendingExposureEntity,
  LendingNotificationEntity,
];
