import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JSONScalar, type AuditRecordEntity } from '@zizhu/platform';
import { ConnectionType } from '../../common/connection.js';

@ObjectType('AuditRecord', { description: 'An audited event: a login, a change to users or API keys, a decryption' })
export class AuditRecordModel {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => String)
  organization!: string;

  @Field(() => String)
  action!: string;

  @Field(() => String, { nullable: true })
  actorKind!: string | null;

  @Field(() => String, { nullable: true })
  actorId!: string | null;

  @Field(() => String, { nullable: true })
  actorName!: string | null;

  @Field(() => String, { nullable: true })
  target!: string | null;

  @Field(() => JSONScalar)
  detail!: Record<string, unknown>;

  static from(a: AuditRecordEntity): AuditRecordModel {
    return { id: a.id, at: a.at, organization: a.org, action: a.action, actorKind: a.actorKind, actorId: a.actorId, actorName: a.actorName, target: a.target, detail: a.detail };
  }
}

@ObjectType('AuditRecordConnection')
export class AuditRecordConnection extends ConnectionType(AuditRecordModel, 'AuditRecord') {}
