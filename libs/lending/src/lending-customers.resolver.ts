import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, type Connection, type RequestContext } from '@zizhu/platform';
import { CustodyInstructionInput, CustomerIdArgs, LendingCustomersArgs, LinkTerminalUserInput, RegisterLendingCustomerInput } from './dto/lending.inputs.js';
import { LendingCustomersService } from './lending-customers.service.js';
import {
  CustodyAccountModel,
  CustodyInstructionModel,
  CustomerIdentityModel,
  LendingCustomerConnection,
  LendingCustomerModel,
  RegisteredCustomerModel,
  TerminalUserModel,
} from './models/lending-customer.model.js';

/** Customers (KYC sealed on chain), their custody accounts and the bank's custody instructions (operations layer). */
@Resolver(() => LendingCustomerModel)
export class LendingCustomersResolver {
  constructor(private readonly customers: LendingCustomersService) {}

  @Mutation(() => RegisteredCustomerModel, { description: "A platform registers a customer: KYC sealed (platform, regulators; the bank card also for the custodian bank), a custody account opened" })
  @Allow(Permission.OperateLending)
  registerLendingCustomer(@Ctx() ctx: RequestContext, @Args('input') input: RegisterLendingCustomerInput): Promise<RegisteredCustomerModel> {
    return this.customers.register(ctx, input);
  }

  @Query(() => LendingCustomerModel, { description: 'A customer: its platform, its custodian bank or the regulator' })
  @Allow(Permission.ReadLending)
  async lendingCustomer(@Ctx() ctx: RequestContext, @Args() args: CustomerIdArgs): Promise<LendingCustomerModel> {
    return LendingCustomerModel.from(await this.customers.customer(ctx, args.id));
  }

  @Query(() => LendingCustomerConnection, { description: "A platform's own customers, a bank's custody account holders, every customer for the regulator; newest first" })
  @Allow(Permission.ReadLending)
  lendingCustomers(@Ctx() ctx: RequestContext, @Args() args: LendingCustomersArgs): Promise<Connection<LendingCustomerModel>> {
    return this.customers.list(ctx, args);
  }

  @Mutation(() => TerminalUserModel, { description: "A platform's admin links one of its users holding the borrower or lender role to the customer it acts for" })
  @Allow(Permission.ManageUsers)
  linkLendingTerminalUser(@Ctx() ctx: RequestContext, @Args('input') input: LinkTerminalUserInput): Promise<TerminalUserModel> {
    return this.customers.linkTerminalUser(ctx, input);
  }

  @Mutation(() => CustodyInstructionModel, { description: "The custodian bank credits a customer's custody account (its core banking system's instruction; the same ref is applied once)" })
  @Allow(Permission.OperateLending)
  depositToCustody(@Ctx() ctx: RequestContext, @Args('input') input: CustodyInstructionInput): Promise<CustodyInstructionModel> {
    return this.customers.deposit(ctx, input);
  }

  @Mutation(() => CustodyInstructionModel, { description: "The custodian bank debits a customer's available balance (paid out to the customer's bank card)" })
  @Allow(Permission.OperateLending)
  withdrawFromCustody(@Ctx() ctx: RequestContext, @Args('input') input: CustodyInstructionInput): Promise<CustodyInstructionModel> {
    return this.customers.withdraw(ctx, input);
  }

  // Field resolvers run under their parent's permission; what they reveal is checked here.

  @ResolveField(() => CustodyAccountModel)
  async account(@Ctx() ctx: RequestContext, @Parent() customer: LendingCustomerModel): Promise<CustodyAccountModel> {
    await this.customers.visibleCustomer(ctx, customer.id);
    return this.customers.account(customer.id);
  }

  @ResolveField(() => CustomerIdentityModel, { description: 'Name, national ID, phone: for the platform, the regulator and the customer itself (decrypted, audited)' })
  async identity(@Ctx() ctx: RequestContext, @Parent() customer: LendingCustomerModel): Promise<CustomerIdentityModel> {
    return this.customers.identity(ctx, await this.customers.visibleCustomer(ctx, customer.id));
  }

  @ResolveField(() => String, { description: 'The bank card: for the platform, the regulator, the custodian bank and the customer itself (decrypted, audited)' })
  async bankCard(@Ctx() ctx: RequestContext, @Parent() customer: LendingCustomerModel): Promise<string> {
    return this.customers.bankCard(ctx, await this.customers.visibleCustomer(ctx, customer.id));
  }

  @ResolveField(() => [CustodyInstructionModel], { description: 'Deposits and withdrawals, oldest first' })
  async custodyInstructions(@Ctx() ctx: RequestContext, @Parent() customer: LendingCustomerModel): Promise<CustodyInstructionModel[]> {
    await this.customers.visibleCustomer(ctx, customer.id);
    return this.customers.instructionsOf(customer.id);
  }
}
