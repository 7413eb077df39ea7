import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { LendingContract, type LendingConfig } from '@zizhu/contract-lending';
import type { LendingLprEntity, LendingPlatformEntity } from '../entities/index.js';
import { AprCapModeEnum, FilingStatusEnum, PlatformStatusEnum } from './lending-enums.js';

const ms = (d: Date | null) => (d ? d.getTime() : null);

@ObjectType('LendingPlatform', { description: "A loan platform in a bank's fund custody (资金存管)" })
export class LendingPlatformModel {
  @Field(() => String, { description: 'The platform organisation' })
  org!: string;

  @Field(() => String, { description: 'Its custodian bank' })
  custodian!: string;

  @Field(() => String)
  registrationNo!: string;

  @Field(() => String)
  name!: string;

  @Field(() => FilingStatusEnum)
  filingStatus!: FilingStatusEnum;

  @Field(() => String)
  custodyAgreementRef!: string;

  @Field(() => PlatformStatusEnum, { description: 'A SUSPENDED platform cannot list or fund' })
  status!: PlatformStatusEnum;

  @Field(() => Float, { description: 'ms since the epoch' })
  registeredAt!: number;

  @Field(() => Float, { nullable: true })
  approvedAt!: number | null;

  @Field(() => Float, { nullable: true })
  suspendedAt!: number | null;

  @Field(() => String, { nullable: true })
  suspendReason!: string | null;

  static from(p: LendingPlatformEntity): LendingPlatformModel {
    return {
      org: p.org,
      custodian: p.custodian,
      registrationNo: p.registrationNo,
      name: p.name,
      filingStatus: p.filingStatus as FilingStatusEnum,
      custodyAgreementRef: p.custodyAgreementRef,
      status: p.status as PlatformStatusEnum,
      registeredAt: p.registeredAt.getTime(),
      approvedAt: ms(p.approvedAt),
      suspendedAt: ms(p.suspendedAt),
      suspendReason: p.suspendReason,
    };
  }
}

@ObjectType('BorrowingCaps', { description: 'Outstanding principal plus open listings of one person, in fen' })
export class BorrowingCapsModel {
  @Field(() => String, { description: 'On one platform' })
  perPlatform!: string;

  @Field(() => String, { description: 'Across every platform' })
  total!: string;
}

@ObjectType('LendingCapsByPersonKind')
export class LendingCapsModel {
  @Field(() => BorrowingCapsModel)
  NATURAL!: BorrowingCapsModel;

  @Field(() => BorrowingCapsModel)
  LEGAL!: BorrowingCapsModel;
}

@ObjectType('Lpr', { description: 'One entry of the one-year Loan Prime Rate table the regulator keeps on chain' })
export class LprModel {
  @Field(() => Float, { description: 'In force from (ms since the epoch)' })
  effectiveFrom!: number;

  @Field(() => Int, { description: 'Basis points (345 = 3.45 %)' })
  bps!: number;

  @Field(() => Float)
  publishedAt!: number;

  @Field(() => String)
  tx!: string;

  static from(l: LendingLprEntity): LprModel {
    return { effectiveFrom: l.effectiveFrom.getTime(), bps: l.bps, publishedAt: l.publishedAt.getTime(), tx: l.tx };
  }
}

@ObjectType('LendingConfig', { description: "The regulator's rules as the contract applies them now" })
export class LendingConfigModel {
  @Field(() => LendingCapsModel)
  caps!: LendingCapsModel;

  @Field(() => AprCapModeEnum)
  aprCapMode!: AprCapModeEnum;

  @Field(() => [String], { description: 'Purpose codes no listing may have' })
  prohibitedPurposes!: string[];

  @Field(() => Int, { description: 'Days after a due date before an unpaid instalment may be marked OVERDUE' })
  graceDays!: number;

  @Field(() => LprModel, { nullable: true, description: 'The one-year LPR in force now (null: none, and LPR_X4 listings fail with LPR_NOT_SET)' })
  lpr!: LprModel | null;

  @Field(() => Int, { nullable: true, description: 'The APR cap in force now, in basis points (LPR_X4: 4 × lpr; null when no LPR is in force)' })
  aprCapBps!: number | null;

  @Field(() => [LprModel], { description: 'The LPR table, newest first (including entries not yet in force)' })
  lprTable!: LprModel[];

  static from(config: LendingConfig, lprs: LendingLprEntity[], now: number): LendingConfigModel {
    const table = lprs.map(LprModel.from);
    const lpr = table.find((l) => l.effectiveFrom <= now) ?? null;
    const aprCapBps = config.aprCapMode === 'LEGACY_24' ? LendingContract.LEGACY_CAP_BPS : lpr ? 4 * lpr.bps : null;
    return { caps: config.caps, aprCapMode: config.aprCapMode as AprCapModeEnum, prohibitedPurposes: config.prohibitedPurposes, graceDays: config.graceDays, lpr, aprCapBps, lprTable: table };
  }
}
