import { Field, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsEnum, IsString, Matches } from 'class-validator';
import { API_KEY_NAME_PATTERN } from '@zizhu/platform';
import { RoleEnum } from '../../common/role.enum.js';

@InputType({ description: "An API key in the caller's organisation, with at most the caller's roles" })
export class IssueApiKeyInput {
  @Field(() => String, { description: 'What it is for, e.g. "core banking gateway"' })
  @IsString()
  @Matches(API_KEY_NAME_PATTERN, { message: 'name must be 1-64 letters, digits, spaces, ".", "_" or "-"' })
  name!: string;

  @Field(() => [RoleEnum])
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsEnum(RoleEnum, { each: true })
  roles!: RoleEnum[];
}
