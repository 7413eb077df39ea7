import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LendingContract, type LendingConfig } from '@zizhu/contract-lending';
import { CLOCK, LedgerService, badInput, conflict, notFound, type Clock, type RequestContext } from '@zizhu/platform';
import type { Repository } from 'typeorm';
import type { ConfigureLendingInput, PublishLprInput, RegisterLendingPlatformInput, UpdateLendingPlatformInput } from './dto/lending.inputs.js';
import { LendingConfigEntity, LendingLprEntity, LendingPlatformEntity } from './entities/index.js';
import { LendingAccess } from './lending-access.service.js';
import { LendingConfigModel, LprModel, LendingPlatformModel } from './models/lending-platform.model.js';

/**
 * The regulator's rules (caps, APR cap mode, prohibited purposes, grace days, the LPR table) and
 * the platforms' onboarding by their custodian bank: register, update, approve (filed platforms
 * only), suspend and resume. Platforms are organisations of kind PLATFORM already in the consortium.
 */
@Injectable()
export class LendingPlatformsService {
  constructor(
    private readonly access: LendingAccess,
    private readonly ledger: LedgerService,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectRepository(LendingPlatformEntity) private readonly platforms: Repository<LendingPlatformEntity>,
    @InjectRepository(LendingConfigEntity) private readonly configs: Repository<LendingConfigEntity>,
    @InjectRepository(LendingLprEntity) private readonly lprs: Repository<LendingLprEntity>,
  ) {}

  // ---- the regulator's rules -------------------------------------------------------------------

  /** The contract's configuration (its defaults until the regulator first configures). */
  async contractConfig(): Promise<LendingConfig> {
    const row = await this.configs.findOneBy({ id: 'cfg' });
    return (row?.config as unknown as LendingConfig | undefined) ?? structuredClone(LendingContract.defaultConfig);
  }

  async config(): Promise<LendingConfigModel> {
    return LendingConfigModel.from(await this.contractConfig(), await this.lprs.find({ order: { effectiveFrom: 'DESC' } }), this.clock());
  }

  async configure(ctx: RequestContext, input: ConfigureLendingInput): Promise<LendingConfigModel> {
    const principal = await this.access.operator(ctx, 'REGULATOR');
    const args: Record<string, never> = {};
    if (input.caps) {
      const caps: Record<string, { perPlatform: string; total: string }> = {};
      for (const kind of ['NATURAL', 'LEGAL'] as const) {
        const c = input.caps[kind];
        if (c) caps[kind] = { perPlatform: c.perPlatform, total: c.total };
      }
      if (Object.keys(caps).length > 0) args.caps = caps as never;
    }
    if (input.aprCapMode !== undefined) args.aprCapMode = input.aprCapMode as never;
    if (input.prohibitedPurposes !== undefined) args.prohibitedPurposes = [...input.prohibitedPurposes] as never;
    if (input.graceDays !== undefined) args.graceDays = input.graceDays as never;
    if (Object.keys(args).length === 0) throw badInput('give at least one of caps, aprCapMode, prohibitedPurposes, graceDays', 'NOTHING_TO_CHANGE');
    await this.access.submit(principal, 'configure', args);
    return this.config();
  }

  async publishLpr(ctx: RequestContext, input: PublishLprInput): Promise<LprModel> {
    const principal = await this.access.operator(ctx, 'REGULATOR');
    await this.access.submit(principal, 'setLpr', { effectiveFrom: input.effectiveFrom, bps: input.bps });
    return LprModel.from((await this.lprs.findOneBy({ effectiveFrom: new Date(input.effectiveFrom) }))!);
  }

  // ---- platforms -------------------------------------------------------------------------------

  async platform(ctx: RequestContext, org: string): Promise<LendingPlatformModel> {
    await this.access.member(ctx);
    const row = await this.platforms.findOneBy({ org });
    if (!row) throw notFound(`${org} is not a registered lending platform`);
    return LendingPlatformModel.from(row);
  }

  /** Every platform (public to the members: who is in whose custody, and whether it may operate). */
  async list(ctx: RequestContext): Promise<LendingPlatformModel[]> {
    await this.access.member(ctx);
    return (await this.platforms.find({ order: { org: 'ASC' } })).map(LendingPlatformModel.from);
  }

  /**
   * Registers a platform in the calling bank's custody (PENDING until approved). The same bank
   * registering it again with the same details gets the registration back: a retried instruction
   * is not an error.
   */
  async register(ctx: RequestContext, input: RegisterLendingPlatformInput): Promise<LendingPlatformModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    const org = await this.ledger.organization(input.org);
    if (!org || org.kind !== 'PLATFORM') throw badInput(`${input.org} is not a PLATFORM organisation of the consortium`, 'NOT_A_PLATFORM_ORG');
    const existing = await this.platforms.findOneBy({ org: input.org });
    if (
      existing &&
      existing.custodian === principal.org &&
      existing.registrationNo === input.registrationNo &&
      existing.name === input.name &&
      existing.custodyAgreementRef === input.custodyAgreementRef &&
      existing.filingStatus === input.filingStatus
    ) {
      return LendingPlatformModel.from(existing);
    }
    await this.access.submit(principal, 'registerPlatform', { ...input });
    return this.platformRow(input.org);
  }

  async update(ctx: RequestContext, input: UpdateLendingPlatformInput): Promise<LendingPlatformModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    const args: Record<string, string> = { org: input.org };
    if (input.name !== undefined) args.name = input.name;
    if (input.filingStatus !== undefined) args.filingStatus = input.filingStatus;
    if (input.custodyAgreementRef !== undefined) args.custodyAgreementRef = input.custodyAgreementRef;
    if (Object.keys(args).length === 1) throw badInput('give at least one of name, filingStatus, custodyAgreementRef', 'NOTHING_TO_CHANGE');
    await this.access.submit(principal, 'updatePlatform', args);
    return this.platformRow(input.org);
  }

  /** Approves a FILED platform: it may then register customers, list and fund. Approving an approved one returns it. */
  async approve(ctx: RequestContext, org: string): Promise<LendingPlatformModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    const existing = await this.platforms.findOneBy({ org });
    if (existing && existing.custodian === principal.org && existing.approvedAt) return LendingPlatformModel.from(existing);
    await this.access.submit(principal, 'approvePlatform', { org });
    return this.platformRow(org);
  }

  async suspend(ctx: RequestContext, org: string, reason: string): Promise<LendingPlatformModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    await this.access.submit(principal, 'suspendPlatform', { org, reason });
    return this.platformRow(org);
  }

  async resume(ctx: RequestContext, org: string): Promise<LendingPlatformModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    await this.access.submit(principal, 'resumePlatform', { org });
    return this.platformRow(org);
  }

  /** The platform's record, or CONFLICT PLATFORM_NOT_FOUND: what a platform's own operation needs first. */
  async requirePlatform(org: string): Promise<LendingPlatformEntity> {
    const row = await this.platforms.findOneBy({ org });
    if (!row) throw conflict(`${org} is not a registered lending platform: its custodian bank registers it first`, 'PLATFORM_NOT_FOUND');
    return row;
  }

  private async platformRow(org: string): Promise<LendingPlatformModel> {
    return LendingPlatformModel.from((await this.platforms.findOneBy({ org }))!);
  }
}
