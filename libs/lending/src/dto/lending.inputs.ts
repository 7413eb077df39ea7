import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { PageArgs } from '@zizhu/platform';
import {
  AprCapModeEnum,
  CollateralStatusEnum,
  CollateralTypeEnum,
  CustomerRoleEnum,
  FilingStatusEnum,
  LendingAlertReasonEnum,
  LoanStatusEnum,
  PersonKindEnum,
  ReconciliationStatusEnum,
  RepaymentMethodEnum,
} from '../models/lending-enums.js';

const HEX64 = /^[0-9a-f]{64}$/;
const ORG = /^[a-z][a-z0-9-]{0,62}$/;
/** Money: integer fen, as a string (the contract's bound: 18 digits). */
const FEN = /^(0|[1-9][0-9]{0,17})$/;
const POSITIVE_FEN = /^[1-9][0-9]{0,17}$/;
const PURPOSE = /^[A-Z][A-Z0-9_]{1,31}$/;
const NOT_BLANK = /\S/;
const DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

const fen = (name: string) => ({ message: `${name} must be an integer number of fen, as a string` });
const positiveFen = (name: string) => ({ message: `${name} must be a positive integer number of fen, as a string` });
const id = (name: string, what: string) => ({ message: `${name} must be ${what} (64 lowercase hex)` });

// ---- regulator -----------------------------------------------------------------------------------

@InputType()
export class BorrowingCapsInput {
  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('perPlatform'))
  perPlatform!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('total'))
  total!: string;
}

@InputType()
export class LendingCapsInput {
  @Field(() => BorrowingCapsInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => BorrowingCapsInput)
  NATURAL?: BorrowingCapsInput;

  @Field(() => BorrowingCapsInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => BorrowingCapsInput)
  LEGAL?: BorrowingCapsInput;
}

@InputType({ description: "The regulator's rules; only what is given changes" })
export class ConfigureLendingInput {
  @Field(() => LendingCapsInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => LendingCapsInput)
  caps?: LendingCapsInput;

  @Field(() => AprCapModeEnum, { nullable: true })
  @IsOptional()
  @IsEnum(AprCapModeEnum)
  aprCapMode?: AprCapModeEnum;

  @Field(() => [String], { nullable: true, description: 'Purpose codes (A-Z, 0-9, _), replacing the list' })
  @IsOptional()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @Matches(PURPOSE, { each: true, message: 'each prohibited purpose must be an upper-case code like REAL_ESTATE_DOWN_PAYMENT' })
  prohibitedPurposes?: string[];

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  graceDays?: number;
}

@InputType({ description: 'A one-year LPR from a moment on (not in the past: history is fixed)' })
export class PublishLprInput {
  @Field(() => Int, { description: 'Basis points (345 = 3.45 %)' })
  @IsInt()
  @Min(1)
  @Max(10000)
  bps!: number;

  @Field(() => Float, { description: 'ms since the epoch; at or after the block time' })
  @IsInt({ message: 'effectiveFrom must be an integer number of ms since the epoch' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  effectiveFrom!: number;
}

// ---- bank: platforms and custody --------------------------------------------------------------

@InputType()
export class RegisterLendingPlatformInput {
  @Field(() => String, { description: 'The platform organisation (a PLATFORM member of the consortium)' })
  @Matches(ORG, { message: 'org must be an organisation id' })
  org!: string;

  @Field(() => String)
  @IsString()
  @MaxLength(64)
  @Matches(NOT_BLANK, { message: 'registrationNo must not be blank' })
  registrationNo!: string;

  @Field(() => String)
  @IsString()
  @MaxLength(256)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @Field(() => FilingStatusEnum)
  @IsEnum(FilingStatusEnum)
  filingStatus!: FilingStatusEnum;

  @Field(() => String)
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'custodyAgreementRef must not be blank' })
  custodyAgreementRef!: string;
}

@InputType()
export class UpdateLendingPlatformInput {
  @Field(() => String)
  @Matches(ORG, { message: 'org must be an organisation id' })
  org!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name?: string;

  @Field(() => FilingStatusEnum, { nullable: true })
  @IsOptional()
  @IsEnum(FilingStatusEnum)
  filingStatus?: FilingStatusEnum;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'custodyAgreementRef must not be blank' })
  custodyAgreementRef?: string;
}

@ArgsType()
export class PlatformOrgArgs {
  @Field(() => String)
  @Matches(ORG, { message: 'org must be an organisation id' })
  org!: string;
}

@ArgsType()
export class SuspendPlatformArgs extends PlatformOrgArgs {
  @Field(() => String)
  @IsString()
  @MaxLength(1024)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason!: string;
}

@InputType({ description: "A custody instruction from the bank's core banking system; the same ref is applied once" })
export class CustodyInstructionInput {
  @Field(() => String, { description: "The bank's reference: letters, digits and . _ : - (1-64)" })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, { message: 'ref must be 1-64 letters, digits, . _ : -, starting with a letter or digit' })
  ref!: string;

  @Field(() => String)
  @Matches(HEX64, id('customerId', 'a customer id'))
  customerId!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('amount'))
  amount!: string;
}

@InputType({ description: "A bank's closing custody totals for a business day, from its core banking system" })
export class ReportCustodyTotalsInput {
  @Field(() => String, { description: 'YYYY-MM-DD (China Standard Time)' })
  @Matches(DATE, { message: 'businessDate must be a date YYYY-MM-DD' })
  businessDate!: string;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  accounts!: number;

  @Field(() => String, { description: 'fen' })
  @Matches(FEN, fen('available'))
  available!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(FEN, fen('frozen'))
  frozen!: string;
}

@ArgsType()
export class BusinessDateArgs {
  @Field(() => String, { description: 'YYYY-MM-DD (China Standard Time)' })
  @Matches(DATE, { message: 'businessDate must be a date YYYY-MM-DD' })
  businessDate!: string;
}

@ArgsType()
export class ReconciliationsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'The regulator: one bank' })
  @IsOptional()
  @Matches(ORG, { message: 'bank must be an organisation id' })
  bank?: string;

  @Field(() => ReconciliationStatusEnum, { nullable: true })
  @IsOptional()
  @IsEnum(ReconciliationStatusEnum)
  status?: ReconciliationStatusEnum;
}

// ---- platform: customers and collateral ---------------------------------------------------------

@InputType({ description: "A customer's KYC: sealed on chain, never stored in clear; the pseudonym derives from the national ID" })
export class RegisterLendingCustomerInput {
  @Field(() => PersonKindEnum)
  @IsEnum(PersonKindEnum)
  personKind!: PersonKindEnum;

  @Field(() => [CustomerRoleEnum])
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsEnum(CustomerRoleEnum, { each: true })
  roles!: CustomerRoleEnum[];

  @Field(() => String)
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @Field(() => String, { description: 'NATURAL: 18-character resident identity card number; LEGAL: unified social credit code' })
  @IsString()
  @MaxLength(64)
  nationalId!: string;

  @Field(() => String)
  @IsString()
  @MaxLength(32)
  phone!: string;

  @Field(() => String, { description: "The customer's bank card (readable by the custodian bank too)" })
  @IsString()
  @MaxLength(32)
  bankCard!: string;
}

@ArgsType()
export class CustomerIdArgs {
  @Field(() => String)
  @Matches(HEX64, id('id', 'a customer id'))
  id!: string;
}

@ArgsType()
export class LendingCustomersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'The regulator or a bank: one platform' })
  @IsOptional()
  @Matches(ORG, { message: 'platform must be an organisation id' })
  platform?: string;

  @Field(() => CustomerRoleEnum, { nullable: true })
  @IsOptional()
  @IsEnum(CustomerRoleEnum)
  role?: CustomerRoleEnum;
}

@InputType({ description: 'Links a user of the platform holding a terminal role (borrower, lender) to the customer it acts for' })
export class LinkTerminalUserInput {
  @Field(() => String, { description: "A user of the caller's organisation" })
  @IsString()
  @MinLength(1)
  @MaxLength(63)
  username!: string;

  @Field(() => String)
  @Matches(HEX64, id('customerId', 'a customer id'))
  customerId!: string;
}

@InputType()
export class DocumentDigestInput {
  @Field(() => String, { defaultValue: 'sha256', description: 'sha256 or sm3' })
  @IsIn(['sha256', 'sm3'])
  alg: string = 'sha256';

  @Field(() => String)
  @Matches(HEX64, { message: 'a document digest must be 64 lowercase hex characters' })
  value!: string;
}

@InputType({ description: 'Digitises a collateral asset; the same type and identifier always give the same asset' })
export class RegisterCollateralInput {
  @Field(() => CollateralTypeEnum)
  @IsEnum(CollateralTypeEnum)
  type!: CollateralTypeEnum;

  @Field(() => String, { description: 'VIN (VEHICLE: 17 characters), certificate number, …; normalised by the contract' })
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'identifier must not be blank' })
  identifier!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('appraisedValue'))
  appraisedValue!: string;

  @Field(() => [DocumentDigestInput], { defaultValue: [] })
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => DocumentDigestInput)
  documents: DocumentDigestInput[] = [];

  @Field(() => String, { description: "The owner's name: sealed (the platform and the regulator)" })
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'ownerName must not be blank' })
  ownerName!: string;

  @Field(() => String, { description: "The owner's national ID: sealed" })
  @IsString()
  @MaxLength(64)
  @Matches(NOT_BLANK, { message: 'ownerNationalId must not be blank' })
  ownerNationalId!: string;
}

@ArgsType()
export class CollateralIdArgs {
  @Field(() => String)
  @Matches(HEX64, id('id', 'a collateral id'))
  id!: string;
}

@ArgsType()
export class CollateralsArgs extends PageArgs {
  @Field(() => CollateralStatusEnum, { nullable: true })
  @IsOptional()
  @IsEnum(CollateralStatusEnum)
  status?: CollateralStatusEnum;
}

// ---- listings, funding, claims, repayment ------------------------------------------------------

@InputType({ description: 'A loan request; checked by the contract against the APR cap, prohibited purposes, borrowing caps and maturity splitting' })
export class CreateLoanListingInput {
  @Field(() => String, { description: 'The borrower (a customer of the caller with the BORROWER role)' })
  @Matches(HEX64, id('borrowerId', 'a customer id'))
  borrowerId!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('amount'))
  amount!: string;

  @Field(() => Int, { description: 'Annual rate in basis points (1200 = 12 %)' })
  @IsInt()
  @Min(0)
  @Max(100000)
  aprBps!: number;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(360)
  termMonths!: number;

  @Field(() => RepaymentMethodEnum)
  @IsEnum(RepaymentMethodEnum)
  method!: RepaymentMethodEnum;

  @Field(() => String, { description: 'Purpose code, e.g. WORKING_CAPITAL, CAR_PURCHASE' })
  @Matches(PURPOSE, { message: 'purpose must be an upper-case code like WORKING_CAPITAL' })
  purpose!: string;

  @Field(() => Float, { description: 'ms since the epoch; not full by then → cancellable by anyone, bids unfrozen' })
  @IsInt({ message: 'fundingDeadline must be an integer number of ms since the epoch' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  fundingDeadline!: number;

  @Field(() => String, { nullable: true, description: 'A FREE collateral to pledge' })
  @IsOptional()
  @Matches(HEX64, id('collateralId', 'a collateral id'))
  collateralId?: string;

  @Field(() => String, { nullable: true, description: 'Sealed to the platform and the regulator' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;
}

@ArgsType()
export class LoanIdArgs {
  @Field(() => String)
  @Matches(HEX64, id('loanId', 'a loan id'))
  loanId!: string;
}

@ArgsType()
export class LoansArgs extends PageArgs {
  @Field(() => LoanStatusEnum, { nullable: true })
  @IsOptional()
  @IsEnum(LoanStatusEnum)
  status?: LoanStatusEnum;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ORG, { message: 'platform must be an organisation id' })
  platform?: string;

  @Field(() => String, { nullable: true, description: 'One borrower (customer id)' })
  @IsOptional()
  @Matches(HEX64, id('borrowerId', 'a customer id'))
  borrowerId?: string;
}

@InputType({ description: "A lender's bid, frozen in its custody account; the bid completing the amount starts the loan" })
export class PlaceBidInput {
  @Field(() => String)
  @Matches(HEX64, id('loanId', 'a loan id'))
  loanId!: string;

  @Field(() => String, { description: 'The lender (a customer of the caller with the LENDER role)' })
  @Matches(HEX64, id('lenderId', 'a customer id'))
  lenderId!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('amount'))
  amount!: string;
}

@InputType()
export class PlaceMyBidInput {
  @Field(() => String)
  @Matches(HEX64, id('loanId', 'a loan id'))
  loanId!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(POSITIVE_FEN, positiveFen('amount'))
  amount!: string;
}

@ArgsType()
export class ClaimArgs extends LoanIdArgs {
  @Field(() => String)
  @Matches(HEX64, id('claimId', 'a claim id'))
  claimId!: string;
}

@InputType({ description: 'Offers one whole claim to a lender (any platform) at an agreed price' })
export class OfferClaimInput {
  @Field(() => String)
  @Matches(HEX64, id('loanId', 'a loan id'))
  loanId!: string;

  @Field(() => String)
  @Matches(HEX64, id('claimId', 'a claim id'))
  claimId!: string;

  @Field(() => String, { description: 'The buying lender (customer id, any platform)' })
  @Matches(HEX64, id('buyerId', 'a customer id'))
  buyerId!: string;

  @Field(() => String, { description: 'fen' })
  @Matches(FEN, fen('price'))
  price!: string;
}

@ArgsType()
export class RepayArgs extends LoanIdArgs {
  @Field(() => Int, { description: 'The next unpaid instalment (1-based)' })
  @IsInt()
  @Min(1)
  @Max(360)
  instalment!: number;
}

@ArgsType()
export class DeclareDefaultArgs extends LoanIdArgs {
  @Field(() => String)
  @IsString()
  @MaxLength(1024)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason!: string;
}

@ArgsType()
export class LendingAlertsArgs extends PageArgs {
  @Field(() => LendingAlertReasonEnum, { nullable: true })
  @IsOptional()
  @IsEnum(LendingAlertReasonEnum)
  reason?: LendingAlertReasonEnum;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ORG, { message: 'platform must be an organisation id' })
  platform?: string;
}

@ArgsType()
export class NotificationsArgs extends PageArgs {}
