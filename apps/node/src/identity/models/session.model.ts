import { Field, ObjectType } from '@nestjs/graphql';
import type { Session } from '@zizhu/platform';
import { UserModel } from './user.model.js';

@ObjectType('Session', { description: 'Tokens of a login: send `Authorization: Bearer <accessToken>`; exchange refreshToken (once) for new tokens' })
export class SessionModel {
  @Field(() => String)
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Single use: refreshToken returns a new one, and a reused one ends the session' })
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => UserModel)
  user!: UserModel;

  static from(s: Session): SessionModel {
    return { ...s, user: UserModel.from(s.user) };
  }
}
