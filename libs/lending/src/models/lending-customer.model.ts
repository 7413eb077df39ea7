import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ConnectionType, JSONScalar } from '@zizhu/platform';
import type { LendingAccountEntity, LendingCustodyInstructionEntity, LendingCustomerEntity, LendingTerminalUserEntity } from '../entities/index.js';
import { CustomerRoleEnum, PersonKindEnum } from './lending-enums.js';

@ObjectType('CustomerIdentity', { description: "KYC of a customer, decrypted for the customer's platform and the regulator (audited)" })
export class CustomerIdentityModel {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Resident identity card number or unified social credit code, normalised' })
  nationalId!: string;

  @Field(() => String)
  phone!: string;
}

@ObjectType('CustodyAccount', { description: "The customer's custody sub-account at the custodian bank, in fen" })
export class CustodyAccountModel {
  @Field(() => String)
  bank!: string;

  @Field(() => String)
  available!: string;

  @Field(() => String, { description: 'Frozen by open bids' })
  frozen!: string;

  static from(a: LendingAccountEntity): CustodyAccountModel {
    return { bank: a.bank, available: a.available, frozen: a.frozen };
  }
}

@ObjectType('LendingCustomer', { description: "A platform's customer: pseudonymous on chain; identity sealed (see identity, bankCard)" })
export class LendingCustomerModel {
  @Field(() => String, { description: 'Customer id (64 hex): one per platform and person' })
  id!: string;

  @Field(() => String)
  platform!: string;

  @Field(() => [CustomerRoleEnum])
  roles!: CustomerRoleEnum[];

  @Field(() => PersonKindEnum)
  personKind!: PersonKindEnum;

  @Field(() => Float, { description: 'ms since the epoch' })
  registeredAt!: number;

  @Field(() => JSONScalar, { description: 'The custody envelope as recorded on chain: a JWE (platform, regulators, custodian bank) holding the bank card and the KYC JWE (platform, regulators)' })
  sealed!: unknown;

  static from(c: LendingCustomerEntity): LendingCustomerModel {
    return { id: c.id, platform: c.platform, roles: c.roles as CustomerRoleEnum[], personKind: c.personKind as PersonKindEnum, registeredAt: c.registeredAt.getTime(), sealed: c.sealed };
  }
}

@ObjectType('LendingCustomerConnection')
export class LendingCustomerConnection extends ConnectionType(LendingCustomerModel, 'LendingCustomer') {}

@ObjectType('RegisteredLendingCustomer')
export class RegisteredCustomerModel {
  @Field(() => String)
  id!: string;

  @Field(() => String, { description: 'The custodian bank holding its custody account' })
  bank!: string;

  @Field(() => String)
  tx!: string;
}

@ObjectType('CustodyInstruction', { description: "A bank's deposit or withdrawal as applied on chain; the same ref again is applied once" })
export class CustodyInstructionModel {
  @Field(() => String)
  bank!: string;

  @Field(() => String)
  ref!: string;

  @Field(() => String, { description: 'DEPOSIT or WITHDRAWAL' })
  kind!: string;

  @Field(() => String)
  customerId!: string;

  @Field(() => String, { description: 'fen' })
  amount!: string;

  @Field(() => Float)
  at!: number;

  @Field(() => String)
  tx!: string;

  static from(i: LendingCustodyInstructionEntity): CustodyInstructionModel {
    return { bank: i.bank, ref: i.ref, kind: i.kind, customerId: i.customerId, amount: i.amount, at: i.at.getTime(), tx: i.tx };
  }
}

@ObjectType('LendingTerminalUser', { description: 'A user of a platform with a terminal role, acting for one customer' })
export class TerminalUserModel {
  @Field(() => String)
  userId!: string;

  @Field(() => String)
  customerId!: string;

  @Field(() => Float)
  linkedAt!: number;

  static from(t: LendingTerminalUserEntity): TerminalUserModel {
    return { userId: t.userId, customerId: t.customerId, linkedAt: t.linkedAt.getTime() };
  }
}
