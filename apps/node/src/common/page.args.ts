import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_PAGE = 100;

/** Relay forward pagination: `first` items after the cursor `after`. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `1 to ${MAX_PAGE}` })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}
