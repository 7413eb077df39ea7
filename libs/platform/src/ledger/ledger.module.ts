import { Module, type DynamicModule } from '@nestjs/common';
import type { ContractClass } from '@zizhu/chain';
import { ZIZHU_CONFIG } from '../config/config.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LedgerService } from './ledger.service.js';
import type { NodeHome } from './node-home.js';

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
}

/** The chain on its keystore and genesis, as LedgerService. */
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
          inject: [ZIZHU_CONFIG, NODE_HOME, CLOCK, MetricsService],
          useFactory: (config: ZizhuConfig, home: NodeHome, clock: Clock, metrics: MetricsService) =>
            LedgerService.open({ config, databaseUrl: options.databaseUrl, home, contracts: options.contracts, clock, metrics }),
        },
      ],
      exports: [LedgerService, NODE_HOME],
    };
  }
}
