import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Channel', { description: 'A ledger: its members, contracts and head' })
export class ChannelModel {
  @Field(() => String)
  name!: string;

  @Field(() => [String])
  members!: string[];

  @Field(() => [String])
  contracts!: string[];

  @Field(() => Int, { description: 'Height of the head block' })
  height!: number;

  @Field(() => Int, { description: 'Number of transactions in the log' })
  treeSize!: number;
}
