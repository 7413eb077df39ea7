import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Principal } from '@zizhu/platform';
import { RoleEnum, toRoles } from '../../common/role.enum.js';

export enum PrincipalKindEnum {
  USER = 'user',
  API_KEY = 'apiKey',
}
registerEnumType(PrincipalKindEnum, { name: 'PrincipalKind' });

@ObjectType('Principal', { description: 'Who is calling: a user or an API key' })
export class PrincipalModel {
  @Field(() => PrincipalKindEnum)
  kind!: PrincipalKindEnum;

  @Field(() => ID)
  id!: string;

  @Field(() => String)
  organization!: string;

  @Field(() => String, { description: 'Username, or the API key name' })
  name!: string;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  static from(p: Principal): PrincipalModel {
    return { kind: p.kind as PrincipalKindEnum, id: p.id, organization: p.org, name: p.name, roles: toRoles(p.roles) };
  }
}
