import { Module, type DynamicModule } from '@nestjs/common';
import { NODE_MIGRATIONS } from '@zizhu/migrations';
import { ConfigModule, DatabaseModule, ObservabilityModule, PLATFORM_ENTITIES, type Clock, type ZizhuConfig } from '@zizhu/platform';

/**
 * A worker-only process (`--role worker`): no HTTP. The queue workers (checkpoint webhooks,
 * clean-up jobs) are added here when the queue module lands.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: { config: ZizhuConfig; databaseUrl: string; clock?: Clock }): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(options.config, options.clock),
        ObservabilityModule,
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: PLATFORM_ENTITIES, migrations: NODE_MIGRATIONS }),
      ],
    };
  }
}
