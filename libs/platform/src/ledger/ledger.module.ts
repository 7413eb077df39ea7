import { Module, type DynamicModule } from '@nestjs/common';
import type { ContractClass, Projection } from '@zizhu/chain';
import { DataSource } from 'typeorm';
import { ZIZHU_CONFIG } from '../config/config.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LedgerService } from './ledger.service.js';
import type { NodeHome } from './node-home.js';
import { OrganizationDirectory } from './organization-directory.service.js';

export const NODE_HOME = Symbol('NODE_HOME');

export interface LedgerModuleOptions {
  /** PostgreSQL of the ledger (the node's DATABASE_URL, or the embedded server's). */
  databaseUrl: string;
  /** Business contracts the node runs besides the system contract (modules register theirs). */
  contracts: ContractClass[];
  /**
   * The keystore and genesis, opened (or, on a first development start, created) by the boot
   * before Nest starts, so that their configuration errors stop the node before anything connects.
   */
  home: NodeHome;
  /**
   * Writes added to every block's commit transaction (read models, the job outbox of checkpoint
   * webhooks). The chain opens after the TypeORM migrations have run, so their tables exist.
   */
  projections?: readonly Projection[];
}

/** The chain on its keystore and genesis, as LedgerService; the consortium's organisations as OrganizationDirectory. */
@Module({})
export class LedgerModule {
  static forRoot(options: LedgerModuleOptions): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      providers: [
        { provide: NODE_HOME, useValue: options.home },
        {
          provide: LedgerService,
          // DataSource (when there is one): only initialised once its migrations have run.
          inject: [ZIZHU_CONFIG, NODE_HOME, CLOCK, MetricsService, { token: DataSource, optional: true }],
          useFactory: (config: ZizhuConfig, home: NodeHome, clock: Clock, metrics: MetricsService) =>
            LedgerService.open({ config, databaseUrl: options.databaseUrl, home, contracts: options.contracts, projections: options.projections, clock, metrics }),
        },
        OrganizationDirectory,
      ],
      exports: [LedgerService, NODE_HOME, OrganizationDirectory],
    };
  }
}
