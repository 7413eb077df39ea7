import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The node's Prometheus metrics, in its own registry (not prom-client's global one), so several
 * nodes in one process (tests) do not collide. Modules add theirs with `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly blocksCommitted = new Counter({ name: 'zizhu_blocks_committed_total', help: 'Blocks committed, per channel', labelNames: ['channel'], registers: [this.registry] });
  readonly transactionsCommitted = new Counter({
    name: 'zizhu_transactions_committed_total',
    help: 'Transactions in committed blocks, per channel and status (COMMITTED or REVERTED)',
    labelNames: ['channel', 'status'],
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: 'zizhu_commit_latency_seconds',
    help: 'From submit to durable commit of a transaction, per channel',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly transactionsRefused = new Counter({
    name: 'zizhu_transactions_refused_total',
    help: 'Transactions refused before ordering, per refusal code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'zizhu_http_requests_total',
    help: 'HTTP requests, per method, route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly graphqlOperations = new Counter({
    name: 'zizhu_graphql_operations_total',
    help: 'GraphQL operations, per type (query, mutation, subscription, invalid) and outcome (ok, error)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  readonly graphqlFields = new Counter({
    name: 'zizhu_graphql_root_fields_total',
    help: 'Root fields requested, per field (bounded by the schema)',
    labelNames: ['field'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'zizhu_process_' });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
