import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLContext, RequestContext } from '../context/principal.js';

/** Where the request context lives on an HTTP request outside GraphQL. */
export const HTTP_CONTEXT_KEY = 'zizhuContext';

export function requestContextOf(context: ExecutionContext): RequestContext | undefined {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<GraphQLContext>()?.zizhu;
  const req = context.switchToHttp().getRequest<Record<string, unknown>>();
  return req?.[HTTP_CONTEXT_KEY] as RequestContext | undefined;
}

/** The request's RequestContext (principal, address, request id), passed explicitly to services. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const ctx = requestContextOf(context);
  if (!ctx) throw new Error('no request context: the GraphQL context factory did not run');
  return ctx;
});
