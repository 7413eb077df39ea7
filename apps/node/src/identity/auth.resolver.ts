import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, SessionsService, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { LoginInput } from './dto/login.input.js';
import { RefreshTokenArgs } from './dto/refresh-token.args.js';
import { PrincipalModel } from './models/principal.model.js';
import { SessionModel } from './models/session.model.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Mutation(() => SessionModel, { description: 'Password login: a short-lived access token and a single-use refresh token' })
  @Allow(Permission.Public)
  async login(@Ctx() ctx: RequestContext, @Args('input') input: LoginInput): Promise<SessionModel> {
    return SessionModel.from(await this.sessions.login(ctx, input));
  }

  @Mutation(() => SessionModel, { description: 'New tokens for a refresh token; the one presented can never be used again' })
  @Allow(Permission.Public)
  async refreshToken(@Ctx() ctx: RequestContext, @Args() args: RefreshTokenArgs): Promise<SessionModel> {
    return SessionModel.from(await this.sessions.refresh(ctx, args.refreshToken));
  }

  @Query(() => PrincipalModel, { description: 'The caller' })
  @Allow(Permission.Authenticated)
  me(@Ctx() ctx: RequestContext): PrincipalModel {
    return PrincipalModel.from(requirePrincipal(ctx));
  }
}
