import type { FastifyInstance } from 'fastify';
import type { MetricsService } from '../observability/metrics.service.js';

/** Counts every HTTP response by method, route pattern (bounded) and status. */
export function instrumentHttp(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequests.inc({ method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) });
    done();
  });
}
