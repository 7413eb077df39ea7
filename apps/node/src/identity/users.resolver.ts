import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Permission, USERNAME_PATTERN, UsersService, decodeCursor, encodeCursor, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { PageArgs } from '../common/page.args.js';
import { toConnection } from '../common/connection.js';
import { CreateUserInput } from './dto/create-user.input.js';
import { UserIdArgs } from './dto/id.args.js';
import { UserConnection, UserModel } from './models/user.model.js';

/** Users of the caller's organisation (never another's). */
@Resolver(() => UserModel)
export class UsersResolver {
  constructor(private readonly usersService: UsersService) {}

  @Query(() => UserConnection, { description: "Users of the caller's organisation, by username" })
  @Allow(Permission.ManageUsers)
  async users(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<UserConnection> {
    const principal = requirePrincipal(ctx);
    const after = page.after === undefined ? undefined : decodeCursor('user', page.after, USERNAME_PATTERN);
    const rows = await this.usersService.list(principal.org, page.first + 1, after);
    return toConnection(rows, page.first, (u) => encodeCursor('user', u.username), UserModel.from);
  }

  @Mutation(() => UserModel, { description: "Creates a user in the caller's organisation, with a signing key registered on the ledger and certified by the organisation's CA" })
  @Allow(Permission.ManageUsers)
  async createUser(@Ctx() ctx: RequestContext, @Args('input') input: CreateUserInput): Promise<UserModel> {
    return UserModel.from(await this.usersService.createUser(ctx, input));
  }

  @Mutation(() => UserModel, { description: 'Revokes a user of your organisation: their key on the ledger, their sessions' })
  @Allow(Permission.ManageUsers)
  async revokeUser(@Ctx() ctx: RequestContext, @Args() args: UserIdArgs): Promise<UserModel> {
    return UserModel.from(await this.usersService.revokeUser(ctx, args.id));
  }
}
