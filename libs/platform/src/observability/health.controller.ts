import { Controller, Get, Header, Optional, Res } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator.js';
import { Permission } from '../auth/permissions.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { MetricsService } from './metrics.service.js';

/** Liveness (`/health`), readiness (`/ready`) and Prometheus metrics (`/metrics`). */
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    @Optional() private readonly ledger?: LedgerService,
  ) {}

  /** The process is up (no dependency is asked: a restart would not fix them). */
  @Get('health')
  @Allow(Permission.Public)
  health() {
    return { status: 'ok' };
  }

  /** Ready for traffic: the database answers and (where this process runs it) the chain is open. */
  @Get('ready')
  @Allow(Permission.Public)
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks: Record<string, 'ok' | string> = {};
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout after 2 s')), 2000).unref())]);
      checks.database = 'ok';
    } catch (e) {
      checks.database = `down: ${(e as Error).message}`;
    }
    if (this.ledger) checks.chain = this.ledger.isOpen ? 'ok' : 'closed';
    const ready = Object.values(checks).every((v) => v === 'ok');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks };
  }

  @Get('metrics')
  @Allow(Permission.Public)
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.metrics();
  }
}
