import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { ApiKeyEntity } from '@zizhu/platform';
import { ConnectionType } from '../../common/connection.js';
import { RoleEnum, toRoles } from '../../common/role.enum.js';
import { CredentialStatusEnum } from './user.model.js';

@ObjectType('ApiKey', { description: "A machine's credential, scoped to an organisation and roles" })
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  organization!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  @Field(() => CredentialStatusEnum)
  status!: CredentialStatusEnum;

  @Field(() => String, { nullable: true })
  keyId!: string | null;

  @Field(() => String, { nullable: true })
  certificate!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  static from(k: ApiKeyEntity): ApiKeyModel {
    return {
      id: k.id,
      organization: k.org,
      name: k.name,
      roles: toRoles(k.roles),
      status: k.status as CredentialStatusEnum,
      keyId: k.keyId,
      certificate: k.certificate,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
    };
  }
}

@ObjectType('ApiKeyConnection')
export class ApiKeyConnection extends ConnectionType(ApiKeyModel, 'ApiKey') {}

@ObjectType('IssuedApiKey')
export class IssuedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey!: ApiKeyModel;

  @Field(() => String, { description: 'The key to send as `x-api-key` (zk_<id>_<secret>); shown once, never stored' })
  secret!: string;
}
