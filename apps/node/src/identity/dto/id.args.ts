import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsString, IsUUID, Matches } from 'class-validator';
import { API_KEY_ID_PATTERN } from '../../common/patterns.js';

@ArgsType()
export class UserIdArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;
}

@ArgsType()
export class ApiKeyIdArgs {
  @Field(() => ID)
  @IsString()
  @Matches(API_KEY_ID_PATTERN, { message: 'id must be the 16 hex characters of an API key id' })
  id!: string;
}
