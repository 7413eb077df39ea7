import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueDepth } from '../queue/job-queues.js';

/** The states a queue's depth is reported in (`outbox`: committed, not yet in Redis). */
const QUEUE_DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'outbox'] as const;

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

  /**
   * `zizhu_queue_jobs{queue, state}`, read from `depths` at every scrape (a state whose source,
   * Redis or PostgreSQL, did not answer is left out), and `zizhu_queue_redis_up`.
   */
  registerQueueDepths(depths: () => Promise<QueueDepth[]>): void {
    // One read per scrape, shared by both gauges (a scrape collects every metric at once).
    let reading: Promise<QueueDepth[]> | undefined;
    const read = () =>
      (reading ??= depths()
        .catch((): QueueDepth[] => [])
        .finally(() => (reading = undefined)));
    new Gauge({
      name: 'zizhu_queue_jobs',
      help: 'Jobs per queue and state: waiting, active, delayed, failed (BullMQ) and outbox (committed, not yet relayed to Redis)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const rows = await read();
        this.reset();
        for (const row of rows) {
          for (const state of QUEUE_DEPTH_STATES) {
            const n = row[state];
            if (n !== null) this.set({ queue: row.queue, state }, n);
          }
        }
      },
    });
    new Gauge({
      name: 'zizhu_queue_redis_up',
      help: "Whether the queues' Redis answered at this scrape (1) or not (0)",
      registers: [this.registry],
      async collect() {
        const rows = await read();
        this.set(rows.length > 0 && rows.every((r) => r.waiting !== null) ? 1 : 0);
      },
    });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
