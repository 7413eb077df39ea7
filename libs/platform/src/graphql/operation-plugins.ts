import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { GraphQLContext } from '../context/principal.js';
import type { MetricsService } from '../observability/metrics.service.js';
import { AppError } from './errors.js';
import { retryAfterOf, type RateLimiterService } from './rate-limiter.service.js';
import { requestError } from './request-errors.js';

/** Counts each operation against its caller's rate limit, once, before it executes. */
export function rateLimitPlugin(limiter: RateLimiterService): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          try {
            await limiter.consume(contextValue.zizhu);
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            const retryAfter = retryAfterOf(e) ?? 60;
            throw requestError(e.code, e.message, e.reason ?? e.code, 429, { 'retry-after': String(retryAfter) });
          }
        },
      };
    },
  };
}

/** Subscriptions run over graphql-ws only; over HTTP they are refused before execution. */
export function subscriptionsOverWebSocketPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw requestError('BAD_USER_INPUT', 'subscriptions are served over WebSocket (graphql-ws protocol) at this same path, not over HTTP', 'SUBSCRIPTION_OVER_HTTP', 400);
          }
        },
      };
    },
  };
}

/** Operations per type and outcome, and root fields requested (both bounded label sets). */
export function metricsPlugin(metrics: MetricsService): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, errors, response }) {
          const body = response.body;
          const failed = (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          metrics.graphqlOperations.inc({ type: operation?.operation ?? 'invalid', outcome: failed ? 'error' : 'ok' });
          for (const sel of operation?.selectionSet.selections ?? []) {
            if (sel.kind === Kind.FIELD && !sel.name.value.startsWith('__')) metrics.graphqlFields.inc({ field: sel.name.value });
          }
        },
      };
    },
  };
}
