import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { UserEntity } from '@zizhu/platform';
import { ConnectionType } from '../../common/connection.js';
import { RoleEnum, toRoles } from '../../common/role.enum.js';

export enum CredentialStatusEnum {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
}
registerEnumType(CredentialStatusEnum, { name: 'CredentialStatus', description: 'PENDING while its key is being registered on the ledger; REVOKED once revoked there' });

@ObjectType('User', { description: 'A person of an organisation, with roles and a signing key registered on the ledger' })
export class UserModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  organization!: string;

  @Field(() => String)
  username!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  @Field(() => CredentialStatusEnum)
  status!: CredentialStatusEnum;

  @Field(() => String, { nullable: true, description: 'Ledger key id of the signing key the node uses on their behalf' })
  keyId!: string | null;

  @Field(() => String, { nullable: true, description: "X.509 certificate (base64 DER) of the signing key, issued by the organisation's CA" })
  certificate!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  static from(u: UserEntity): UserModel {
    return {
      id: u.id,
      organization: u.org,
      username: u.username,
      roles: toRoles(u.roles),
      status: u.status as CredentialStatusEnum,
      keyId: u.keyId,
      certificate: u.certificate,
      createdAt: u.createdAt,
      revokedAt: u.revokedAt,
    };
  }
}

@ObjectType('UserConnection')
export class UserConnection extends ConnectionType(UserModel, 'User') {}
