import { Field, InputType } from '@nestjs/graphql';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ID_PATTERN } from '../../common/patterns.js';

@InputType()
export class LoginInput {
  @Field(() => String, { description: 'Organisation id, e.g. bank-a' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'organization must be a lowercase organisation id' })
  organization!: string;

  @Field(() => String)
  @IsString()
  @MinLength(1)
  @MaxLength(63)
  username!: string;

  @Field(() => String)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}
