import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ZIZHU_CONFIG } from './config.js';
import type { ZizhuConfig } from './config.schema.js';

/** The node's time source: injected, so tests control it (CONVENTIONS: outside contracts, an injected clock). */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => number;

/**
 * Provides the configuration loaded (and validated) once at boot, before Nest starts, so that a
 * bad value stops the node with a message naming it rather than deep inside a provider.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ZizhuConfig, clock: Clock = Date.now): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: ZIZHU_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [ZIZHU_CONFIG, CLOCK],
    };
  }
}
