import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, ApiKeysService, Ctx, Permission, decodeCursor, encodeCursor, requirePrincipal, type RequestContext } from '@zizhu/platform';
import { PageArgs } from '../common/page.args.js';
import { toConnection } from '../common/connection.js';
import { ApiKeyIdArgs } from './dto/id.args.js';
import { API_KEY_ID_PATTERN } from '../common/patterns.js';
import { IssueApiKeyInput } from './dto/issue-api-key.input.js';
import { ApiKeyConnection, ApiKeyModel, IssuedApiKeyModel } from './models/api-key.model.js';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly apiKeysService: ApiKeysService) {}

  @Query(() => ApiKeyConnection, { description: "API keys of the caller's organisation" })
  @Allow(Permission.ManageApiKeys)
  async apiKeys(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<ApiKeyConnection> {
    const principal = requirePrincipal(ctx);
    const after = page.after === undefined ? undefined : decodeCursor('apikey', page.after, API_KEY_ID_PATTERN);
    const rows = await this.apiKeysService.list(principal.org, page.first + 1, after);
    return toConnection(rows, page.first, (k) => encodeCursor('apikey', k.id), ApiKeyModel.from);
  }

  @Mutation(() => IssuedApiKeyModel, { description: 'Issues an API key for a machine; its secret is in the answer only' })
  @Allow(Permission.ManageApiKeys)
  async issueApiKey(@Ctx() ctx: RequestContext, @Args('input') input: IssueApiKeyInput): Promise<IssuedApiKeyModel> {
    const { apiKey, secret } = await this.apiKeysService.issue(ctx, input);
    return { apiKey: ApiKeyModel.from(apiKey), secret };
  }

  @Mutation(() => ApiKeyModel, { description: 'Revokes an API key of your organisation (and its signing key on the ledger)' })
  @Allow(Permission.ManageApiKeys)
  async revokeApiKey(@Ctx() ctx: RequestContext, @Args() args: ApiKeyIdArgs): Promise<ApiKeyModel> {
    return ApiKeyModel.from(await this.apiKeysService.revoke(ctx, args.id));
  }
}
