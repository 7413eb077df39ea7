import { ArgsType, Field } from '@nestjs/graphql';
import { IsString, MaxLength } from 'class-validator';

@ArgsType()
export class RefreshTokenArgs {
  @Field(() => String, { description: 'The refreshToken of the last session (single use)' })
  @IsString()
  @MaxLength(128)
  refreshToken!: string;
}
