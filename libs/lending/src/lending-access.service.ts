import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { TxReceipt } from '@zizhu/chain';
import type { CustomerRole } from '@zizhu/contract-lending';
import {
  LedgerService,
  OrganizationDirectory,
  Permission,
  RateLimiterService,
  ZIZHU_CONFIG,
  committed,
  forbidden,
  permissionsOf,
  requirePrincipal,
  type ContractCall,
  type Principal,
  type RequestContext,
  type ZizhuConfig,
} from '@zizhu/platform';
import type { Repository } from 'typeorm';
import { LendingCustomerEntity, LendingTerminalUserEntity } from './entities/index.js';

/** The channel the development consortium opens for the module (banks, platforms, regulators). */
export const LENDING_CHANNEL = 'lending';

/** Organisation kinds that act in lending (the channel's members). */
export type LendingOrgKind = 'BANK' | 'PLATFORM' | 'REGULATOR';

/** A terminal caller: a user of a platform acting for the one customer it is linked to. */
export interface TerminalCaller {
  principal: Principal;
  customer: LendingCustomerEntity;
}

/** Who reads: staff of a member organisation (operations layer), or a terminal caller. */
export type LendingViewer = ({ layer: 'operations'; kind: LendingOrgKind } & Pick<TerminalCaller, 'principal'>) | ({ layer: 'terminal' } & TerminalCaller);

/**
 * Who may do what in lending, before anything reaches the chain (the contract checks again):
 * operations callers by their organisation's kind (a bank onboards and instructs custody, a
 * platform acts for its customers, the regulator configures and supervises), terminal callers by
 * the customer their user is linked to. Also signs and submits the module's transactions.
 */
@Injectable()
export class LendingAccess {
  constructor(
    private readonly ledger: LedgerService,
    private readonly organizations: OrganizationDirectory,
    private readonly limiter: RateLimiterService,
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @InjectRepository(LendingTerminalUserEntity) private readonly terminals: Repository<LendingTerminalUserEntity>,
    @InjectRepository(LendingCustomerEntity) private readonly customers: Repository<LendingCustomerEntity>,
  ) {}

  /** An operations caller of one of `kinds` (FORBIDDEN otherwise, reason NOT_A_<KIND>). */
  async operator(ctx: RequestContext, ...kinds: LendingOrgKind[]): Promise<Principal> {
    const principal = requirePrincipal(ctx);
    this.ledger.assertChannelReadable(principal, LENDING_CHANNEL);
    const kind = await this.organizations.kindOf(principal.org);
    if (!kind || !(kinds as string[]).includes(kind)) throw forbidden(`${principal.org} is a ${kind ?? 'unknown'} organisation; this needs a ${kinds.join(' or ')}`, `NOT_A_${kinds.join('_OR_')}`);
    return principal;
  }

  /** Any operations caller of a member organisation, with its kind. */
  async member(ctx: RequestContext): Promise<{ principal: Principal; kind: LendingOrgKind }> {
    const principal = requirePrincipal(ctx);
    this.ledger.assertChannelReadable(principal, LENDING_CHANNEL);
    return { principal, kind: (await this.organizations.kindOf(principal.org)) as LendingOrgKind };
  }

  /**
   * A terminal caller: a user linked to a customer of its platform (holding `role`, if given). Each terminal
   * operation also counts against LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE (RATE_LIMITED beyond).
   */
  async terminal(ctx: RequestContext, role?: CustomerRole): Promise<TerminalCaller> {
    const principal = requirePrincipal(ctx);
    await this.limiter.consumeNamed('lending-terminal', this.config.LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE, ctx);
    const { customer } = await this.linked(principal);
    if (role && !customer.roles.includes(role)) throw forbidden(`customer ${customer.id} is not a ${role}`, 'ROLE_MISSING');
    return { principal, customer };
  }

  /** The reader of a field (field resolvers run under their parent operation's permission; this says which layer it was). */
  async viewer(ctx: RequestContext): Promise<LendingViewer> {
    const principal = requirePrincipal(ctx);
    const permissions = permissionsOf(principal.roles);
    if (permissions.has(Permission.ReadLending)) return { layer: 'operations', ...(await this.member(ctx)) };
    if (permissions.has(Permission.UseLendingTerminal)) return { layer: 'terminal', ...(await this.linked(principal)) };
    throw forbidden('this needs the lending:read permission or a terminal role', 'MISSING_PERMISSION');
  }

  private async linked(principal: Principal): Promise<TerminalCaller> {
    if (principal.kind !== 'user') throw forbidden('terminal access is for users linked to a customer, not API keys', 'NOT_A_TERMINAL_USER');
    const link = await this.terminals.findOneBy({ userId: principal.id });
    const customer = link && link.org === principal.org ? await this.customers.findOneBy({ id: link.customerId }) : null;
    if (!customer) throw forbidden(`${principal.org}/${principal.name} is not linked to a customer (linkLendingTerminalUser)`, 'NOT_LINKED');
    return { principal, customer };
  }

  /** Signs with the principal's key and submits a lending call; a REVERTED one answers CONFLICT with the contract's reason. */
  async submit(principal: Principal, method: string, args: ContractCall['args']): Promise<TxReceipt> {
    return committed(await this.ledger.submitAs(principal, { channel: LENDING_CHANNEL, contract: 'lending', method, args }));
  }

  /** The same, without failing on REVERTED (the caller looks at the receipt). */
  submitReceipt(principal: Principal, method: string, args: ContractCall['args']): Promise<TxReceipt> {
    return this.ledger.submitAs(principal, { channel: LENDING_CHANNEL, contract: 'lending', method, args });
  }
}
