import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { HEX64_PATTERN, ID_PATTERN } from '../../common/patterns.js';
import { PageArgs } from '../../common/page.args.js';

const CHANNEL = { message: 'channel must be a lowercase channel name' };
const MAX_INT = 2 ** 31 - 1;

@ArgsType()
export class ChannelArgs {
  @Field(() => String)
  @IsString()
  @Matches(ID_PATTERN, CHANNEL)
  channel!: string;
}

@ArgsType()
export class BlockArgs extends ChannelArgs {
  @Field(() => Int, { description: 'Block height (0 is the genesis block)' })
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  height!: number;
}

@ArgsType()
export class BlocksArgs extends PageArgs {
  @Field(() => String)
  @IsString()
  @Matches(ID_PATTERN, CHANNEL)
  channel!: string;
}

@ArgsType()
export class TransactionArgs {
  @Field(() => String, { description: 'Transaction hash, 64 lowercase hex' })
  @IsString()
  @Matches(HEX64_PATTERN, { message: 'hash must be 64 lowercase hex characters' })
  hash!: string;
}

@ArgsType()
export class InclusionProofArgs extends ChannelArgs {
  @Field(() => String)
  @IsString()
  @Matches(HEX64_PATTERN, { message: 'txHash must be 64 lowercase hex characters' })
  txHash!: string;

  @Field(() => Int, { nullable: true, description: "Tree size to prove against (default: the channel's current size)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  treeSize?: number;
}

@ArgsType()
export class ConsistencyProofArgs extends ChannelArgs {
  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  fromSize!: number;

  @Field(() => Int, { nullable: true, description: "Default: the channel's current size" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  toSize?: number;
}
