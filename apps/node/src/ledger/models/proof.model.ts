import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('InclusionProof', { description: 'RFC 9162 §2.1.3: the leaf is in the log of size treeSize; check it against a checkpoint of that size' })
export class InclusionProofModel {
  @Field(() => String)
  channel!: string;

  @Field(() => Int)
  leafIndex!: number;

  @Field(() => Int)
  treeSize!: number;

  @Field(() => String, { description: 'The leaf bytes, base64' })
  leaf!: string;

  @Field(() => [String], { description: 'Hashes, base64, in RFC 9162 order' })
  proof!: string[];
}

@ObjectType('ConsistencyProof', { description: 'RFC 9162 §2.1.4: the log of size toSize extends the one of size fromSize' })
export class ConsistencyProofModel {
  @Field(() => String)
  channel!: string;

  @Field(() => Int)
  fromSize!: number;

  @Field(() => Int)
  toSize!: number;

  @Field(() => [String], { description: 'Hashes, base64, in RFC 9162 order' })
  proof!: string[];
}
