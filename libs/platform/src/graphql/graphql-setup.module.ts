import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, parse, type ExecutionResult, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import { Authenticator } from '../auth/authenticator.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import type { GraphQLContext } from '../context/principal.js';
import { MetricsService } from '../observability/metrics.service.js';
import { createErrorFormatter } from './error-formatter.js';
import { metricsPlugin, rateLimitPlugin, subscriptionsOverWebSocketPlugin } from './operation-plugins.js';
import { operationDepth, queryLimitsPlugin } from './query-limits.plugin.js';
import { RateLimiterService } from './rate-limiter.service.js';
import { GraphQLLimitsModule } from './graphql-limits.module.js';

export interface GraphQLSetupOptions {
  /** Where the generated schema is written (sorted), or `true` to keep it in memory. */
  schemaFile: string | true;
}

interface FastifyLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  id?: string;
}

/** graphql-ws's context argument (connection parameters and the upgrade request). */
interface WsContextArg {
  connectionParams?: Record<string, unknown>;
  extra?: { request?: IncomingMessage };
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** GraphQL context of an HTTP request or a graphql-ws subscription: the caller, authenticated once. */
export function createContextFactory(authenticator: Authenticator) {
  return async (arg: FastifyLikeRequest | WsContextArg): Promise<GraphQLContext> => {
    if ('connectionParams' in arg || 'extra' in arg) {
      const ws = arg as WsContextArg;
      const params = ws.connectionParams ?? {};
      const zizhu = await authenticator.contextFor({
        authorization: str(params.authorization) ?? str(params.Authorization),
        apiKey: str(params.apiKey) ?? str(params['x-api-key']),
        ip: ws.extra?.request?.socket.remoteAddress ?? 'unknown',
      });
      return { zizhu };
    }
    const req = arg as FastifyLikeRequest;
    const requestId = header(req.headers['x-request-id']);
    const zizhu = await authenticator.contextFor({
      authorization: header(req.headers.authorization),
      apiKey: header(req.headers['x-api-key']),
      ip: req.ip,
      requestId: requestId && REQUEST_ID.test(requestId) ? requestId : (req.id ?? randomUUID()),
    });
    return { zizhu, req };
  };
}

/**
 * Apollo on Fastify, code-first: the schema generated from the resolvers (sorted), graphql-ws
 * subscriptions authenticated by connectionParams { authorization } or { apiKey }, depth,
 * complexity and rate limits, and one error mapping for HTTP and WebSocket alike.
 */
@Module({})
export class GraphQLSetupModule {
  static forRoot(options: GraphQLSetupOptions): DynamicModule {
    return {
      module: GraphQLSetupModule,
      imports: [
        AuthModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AuthModule, GraphQLLimitsModule],
          inject: [ZIZHU_CONFIG, Authenticator, RateLimiterService, MetricsService],
          useFactory: (config: ZizhuConfig, authenticator: Authenticator, limiter: RateLimiterService, metrics: MetricsService): ApolloDriverConfig => {
            const logger = new Logger('GraphQL');
            const formatError = createErrorFormatter(logger);
            const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((e) => formatError(e.toJSON(), e));
            const limits = { maxDepth: config.GRAPHQL_MAX_DEPTH, maxComplexity: config.GRAPHQL_MAX_COMPLEXITY };
            return {
              path: '/graphql',
              autoSchemaFile: options.schemaFile,
              sortSchema: true,
              context: createContextFactory(authenticator),
              formatError,
              includeStacktraceInErrorResponses: false,
              graphiql: config.NODE_ENV !== 'production',
              introspection: true,
              plugins: [
                subscriptionsOverWebSocketPlugin(),
                queryLimitsPlugin(limits),
                rateLimitPlugin(limiter),
                metricsPlugin(metrics),
                // No HTTP caching of GraphQL answers here; the default cache-control plugin wraps every
                // field resolver to compute cache hints nobody reads (a few % of a busy node's CPU).
                ApolloServerPluginCacheControlDisabled(),
              ],
              subscriptions: {
                'graphql-ws': {
                  // Apollo's plugins do not see WebSocket operations: the depth limit is applied here.
                  onSubscribe: (_ctx, _id, payload) => {
                    let depth = 0;
                    try {
                      const doc = parse(payload.query);
                      for (const def of doc.definitions) if (def.kind === 'OperationDefinition') depth = Math.max(depth, operationDepth(def as OperationDefinitionNode, doc));
                    } catch {
                      return undefined; // graphql-ws reports the syntax error itself
                    }
                    if (depth > limits.maxDepth) {
                      return [new GraphQLError(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`, { extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP' } })];
                    }
                    return undefined;
                  },
                  onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) => (result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined),
                  // Not in Nest's type, but passed through to graphql-ws's useServer like the rest.
                  ...({ onError: (_ctx: unknown, _id: string, _payload: unknown, errors: readonly GraphQLError[]) => formatErrors(errors) } as object),
                },
              },
            };
          },
        }),
      ],
      exports: [AuthModule],
    };
  }
}
