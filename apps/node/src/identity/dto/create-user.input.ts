import { Field, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsEnum, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '@zizhu/platform';
import { RoleEnum } from '../../common/role.enum.js';

@InputType({ description: "A user in the caller's organisation" })
export class CreateUserInput {
  @Field(() => String, { description: 'Lowercase letters, digits, ".", "_", "-"; unique in the organisation' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1-63 lowercase letters, digits, ".", "_" or "-"' })
  username!: string;

  @Field(() => String, { description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @Field(() => [RoleEnum])
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsEnum(RoleEnum, { each: true })
  roles!: RoleEnum[];
}
