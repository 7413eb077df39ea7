import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JsonValue } from '@zizhu/chain';
import { LendingContract, type PersonKind } from '@zizhu/contract-lending';
import {
  CLOCK,
  FieldEncryptionService,
  OrganizationDirectory,
  UserEntity,
  ZIZHU_CONFIG,
  badInput,
  conflict,
  newestFirstPage,
  notFound,
  requirePrincipal,
  unavailable,
  type Clock,
  type Connection,
  type GeneralJWE,
  type Principal,
  type RequestContext,
  type ZizhuConfig,
} from '@zizhu/platform';
import type { Repository } from 'typeorm';
import type { CustodyInstructionInput, LendingCustomersArgs, LinkTerminalUserInput, RegisterLendingCustomerInput } from './dto/lending.inputs.js';
import { LendingAccountEntity, LendingCustodyInstructionEntity, LendingCustomerEntity, LendingPlatformEntity, LendingTerminalUserEntity } from './entities/index.js';
import { LendingAccess, type LendingOrgKind } from './lending-access.service.js';
import { borrowerRefOf, lendingIdentityKey, normaliseBankCard, normaliseNationalId, normalisePhone } from './lending-identity.js';
import { LendingPlatformsService } from './lending-platforms.service.js';
import {
  CustodyAccountModel,
  CustodyInstructionModel,
  LendingCustomerModel,
  TerminalUserModel,
  type CustomerIdentityModel,
  type RegisteredCustomerModel,
} from './models/lending-customer.model.js';
import type { LendingPartyModel } from './models/lending-loan.model.js';

/** What the custody envelope holds: the bank card, and the KYC sealed again for the platform and the regulators. */
interface CustodyEnvelope {
  bankCard: string;
  kyc: GeneralJWE;
}

/** Binds each sealed part to its customer: it cannot be passed off as another customer's. */
export const custodyEnvelopeAad = (customerId: string) => `lending:customer:${customerId}`;
export const kycAad = (customerId: string) => `lending:customer-kyc:${customerId}`;

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Customers (KYC) and their custody accounts. A customer's identity is sealed twice: the KYC (name,
 * national ID, phone) as a JWE to the platform and the regulators, and that JWE with the bank card
 * inside the custody envelope, a JWE to the platform, the regulators and the custodian bank. So the
 * bank reads the bank card (it pays withdrawals to it) but not who the customer is; another platform
 * reads neither. The pseudonym (borrowerRef) derives from the national ID (lending-identity.ts).
 */
@Injectable()
export class LendingCustomersService {
  private readonly identityKey: Buffer | undefined;

  constructor(
    private readonly access: LendingAccess,
    private readonly platforms: LendingPlatformsService,
    private readonly encryption: FieldEncryptionService,
    private readonly organizations: OrganizationDirectory,
    @Inject(ZIZHU_CONFIG) config: ZizhuConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectRepository(LendingCustomerEntity) private readonly customers: Repository<LendingCustomerEntity>,
    @InjectRepository(LendingAccountEntity) private readonly accounts: Repository<LendingAccountEntity>,
    @InjectRepository(LendingPlatformEntity) private readonly platformRows: Repository<LendingPlatformEntity>,
    @InjectRepository(LendingCustodyInstructionEntity) private readonly instructions: Repository<LendingCustodyInstructionEntity>,
    @InjectRepository(LendingTerminalUserEntity) private readonly terminals: Repository<LendingTerminalUserEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {
    this.identityKey = lendingIdentityKey(config);
  }

  // ---- registration ------------------------------------------------------------------------------

  async register(ctx: RequestContext, input: RegisterLendingCustomerInput): Promise<RegisteredCustomerModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    if (!this.identityKey) throw unavailable('this node has no LENDING_IDENTITY_KEY: it cannot derive borrower pseudonyms, so it registers no customers', 'IDENTITY_KEY_MISSING');
    const nationalId = normaliseNationalId(input.personKind as PersonKind, input.nationalId);
    const kyc = { name: input.name.trim(), nationalId, phone: normalisePhone(input.phone) };
    const bankCard = normaliseBankCard(input.bankCard);
    const borrowerRef = borrowerRefOf(this.identityKey, nationalId);
    const id = LendingContract.customerId(principal.org, borrowerRef);
    if (await this.customers.existsBy({ id })) throw conflict(`this person is already customer ${id} of ${principal.org}`, 'CUSTOMER_EXISTS');
    const platform = await this.platforms.requirePlatform(principal.org);
    const regulators = await this.organizations.regulators();
    const sealedKyc = await this.encryption.encryptFor([principal.org, ...regulators], kyc, { aad: kycAad(id) });
    const envelope: CustodyEnvelope = { bankCard, kyc: sealedKyc };
    const sealed = await this.encryption.encryptFor([principal.org, ...regulators, platform.custodian], envelope as unknown as JsonValue, { aad: custodyEnvelopeAad(id) });
    const receipt = await this.access.submit(principal, 'registerCustomer', { borrowerRef, personKind: input.personKind, roles: [...input.roles], sealed: sealed as unknown as JsonValue });
    const value = receipt.value as { id: string; bank: string };
    return { id: value.id, bank: value.bank, tx: receipt.hash };
  }

  // ---- reading -------------------------------------------------------------------------------------

  /**
   * A customer the caller may see: its platform's staff, the custodian bank's (a custody account
   * holder), the regulator; else NOT_FOUND (whether it exists is not told).
   */
  async customer(ctx: RequestContext, id: string): Promise<LendingCustomerEntity> {
    const { principal, kind } = await this.access.member(ctx);
    const row = await this.customers.findOneBy({ id });
    if (!row || !(await this.maySee(principal, kind, row))) throw notFound(`no customer ${id} is visible to ${principal.org}`);
    return row;
  }

  /** The same for a field of a customer: a terminal caller sees only its own. */
  async visibleCustomer(ctx: RequestContext, id: string): Promise<LendingCustomerEntity> {
    const viewer = await this.access.viewer(ctx);
    if (viewer.layer === 'operations') return this.customer(ctx, id);
    if (viewer.customer.id !== id) throw notFound(`no customer ${id} is visible to ${viewer.principal.org}/${viewer.principal.name}`);
    return viewer.customer;
  }

  async list(ctx: RequestContext, args: LendingCustomersArgs): Promise<Connection<LendingCustomerModel>> {
    const { principal, kind } = await this.access.member(ctx);
    const q = this.customers.createQueryBuilder('c');
    if (kind === 'PLATFORM') q.andWhere('c.platform = :org', { org: principal.org });
    else if (kind === 'BANK') q.andWhere('c.platform IN (SELECT p.org FROM lending_platforms p WHERE p.custodian = :org)', { org: principal.org });
    if (args.platform) q.andWhere('c.platform = :platform', { platform: args.platform });
    if (args.role) q.andWhere(':role = ANY(c.roles)', { role: args.role });
    return newestFirstPage(q, args, { kind: 'lending-customer', time: 'c.registered_at', id: 'c.id', idPattern: HEX64, timeOf: (c) => c.registeredAt, idOf: (c) => c.id }, LendingCustomerModel.from);
  }

  async account(customerId: string): Promise<CustodyAccountModel> {
    return CustodyAccountModel.from((await this.accounts.findOneBy({ id: customerId }))!);
  }

  /** Name, national ID and phone for the platform and the regulators (opens both layers; each audited). */
  async identity(ctx: RequestContext, customer: LendingCustomerEntity, purpose = 'view'): Promise<CustomerIdentityModel> {
    const envelope = await this.openEnvelope(ctx, customer, purpose);
    return this.encryption.decryptJson<CustomerIdentityModel>(ctx, envelope.kyc, { object: `lending-customer:${customer.id}`, field: 'kyc', purpose, module: 'lending', aad: kycAad(customer.id) });
  }

  /** The bank card for the platform, the regulators and the custodian bank (audited). */
  async bankCard(ctx: RequestContext, customer: LendingCustomerEntity, purpose = 'view'): Promise<string> {
    return (await this.openEnvelope(ctx, customer, purpose)).bankCard;
  }

  private openEnvelope(ctx: RequestContext, customer: LendingCustomerEntity, purpose: string): Promise<CustodyEnvelope> {
    return this.encryption.decryptJson<CustodyEnvelope>(ctx, customer.sealed as never, {
      object: `lending-customer:${customer.id}`,
      field: 'bankCard',
      purpose,
      module: 'lending',
      aad: custodyEnvelopeAad(customer.id),
    });
  }

  /**
   * Account holders as parties of a fund flow: pseudonymous ids, with name and national ID
   * decrypted (audited) where the caller's organisation is a recipient of their KYC (the
   * regulator: all; a platform: its own customers).
   */
  async parties(ctx: RequestContext, ids: readonly string[], purpose: string): Promise<Map<string, LendingPartyModel>> {
    const principal = requirePrincipal(ctx);
    const rows = ids.length > 0 ? await this.customers.createQueryBuilder('c').where('c.id = ANY(:ids)', { ids: [...new Set(ids)] }).getMany() : [];
    const out = new Map<string, LendingPartyModel>();
    for (const row of rows) {
      let name: string | null = null;
      let nationalId: string | null = null;
      if (await this.kycReadableBy(principal, row)) {
        ({ name, nationalId } = await this.identity(ctx, row, purpose));
      }
      out.set(row.id, { customerId: row.id, platform: row.platform, name, nationalId });
    }
    return out;
  }

  /** Whether the organisation is a recipient of the customer's inner KYC (the bank is not). */
  private async kycReadableBy(principal: Principal, row: LendingCustomerEntity): Promise<boolean> {
    return row.platform === principal.org || (await this.organizations.isRegulator(principal.org));
  }

  async maySee(principal: Principal, kind: LendingOrgKind, row: LendingCustomerEntity): Promise<boolean> {
    if (kind === 'REGULATOR') return true;
    if (kind === 'PLATFORM') return row.platform === principal.org;
    if (kind === 'BANK') return (await this.platformRows.findOneBy({ org: row.platform }))?.custodian === principal.org;
    return false;
  }

  // ---- custody instructions (the bank) -------------------------------------------------------------

  async deposit(ctx: RequestContext, input: CustodyInstructionInput): Promise<CustodyInstructionModel> {
    return this.instruct(ctx, 'deposit', input);
  }

  async withdraw(ctx: RequestContext, input: CustodyInstructionInput): Promise<CustodyInstructionModel> {
    return this.instruct(ctx, 'withdraw', input);
  }

  private async instruct(ctx: RequestContext, method: 'deposit' | 'withdraw', input: CustodyInstructionInput): Promise<CustodyInstructionModel> {
    const principal = await this.access.operator(ctx, 'BANK');
    await this.customer(ctx, input.customerId);
    await this.access.submit(principal, method, { ref: input.ref, customerId: input.customerId, amount: input.amount });
    return CustodyInstructionModel.from((await this.instructions.findOneBy({ bank: principal.org, ref: input.ref }))!);
  }

  async instructionsOf(customerId: string): Promise<CustodyInstructionModel[]> {
    return (await this.instructions.find({ where: { customerId }, order: { at: 'ASC', ref: 'ASC' } })).map(CustodyInstructionModel.from);
  }

  // ---- terminal users ----------------------------------------------------------------------------

  /** Links a user of the caller's platform holding the borrower or lender role to a customer of the platform. */
  async linkTerminalUser(ctx: RequestContext, input: LinkTerminalUserInput): Promise<TerminalUserModel> {
    const principal = await this.access.operator(ctx, 'PLATFORM');
    const user = await this.users.findOneBy({ org: principal.org, username: input.username });
    if (!user || user.status !== 'ACTIVE') throw notFound(`${principal.org} has no active user ${input.username}`);
    if (!user.roles.some((r) => r === 'borrower' || r === 'lender')) throw badInput(`${input.username} holds no terminal role (borrower, lender)`, 'NOT_A_TERMINAL_ROLE');
    const customer = await this.customer(ctx, input.customerId);
    const wants = user.roles.filter((r) => r === 'borrower' || r === 'lender').map((r) => r.toUpperCase());
    if (!wants.some((r) => customer.roles.includes(r))) throw badInput(`customer ${customer.id} has none of the roles ${wants.join(', ')} of ${input.username}`, 'ROLE_MISSING');
    const row = this.terminals.create({ userId: user.id, org: principal.org, customerId: customer.id, linkedBy: `${principal.kind === 'user' ? 'user' : 'apikey'}/${principal.id}`, linkedAt: new Date(this.clock()) });
    await this.terminals.upsert(row, ['userId']);
    return TerminalUserModel.from(row);
  }

  /** For a platform's own operations: its customer, or NOT_FOUND. */
  async ownCustomer(principal: Principal, id: string): Promise<LendingCustomerEntity> {
    const row = await this.customers.findOneBy({ id });
    if (!row || row.platform !== principal.org) throw notFound(`${principal.org} has no customer ${id}`);
    return row;
  }

  /** Any customer, unscoped (the service needs a buyer's platform, say); never returned to a caller as is. */
  findCustomer(id: string): Promise<LendingCustomerEntity | null> {
    return this.customers.findOneBy({ id });
  }
}
