import { Module, type DynamicModule } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { DevConsortiumBootstrap, NODE_OUTPUT, type NodeOutput } from './dev-consortium.bootstrap.js';

@Module({})
export class BootstrapModule {
  static forRoot(options: { output?: NodeOutput } = {}): DynamicModule {
    return {
      module: BootstrapModule,
      imports: [IdentityModule],
      providers: [DevConsortiumBootstrap, { provide: NODE_OUTPUT, useValue: options.output ?? ((text: string) => process.stdout.write(`${text}\n`)) }],
    };
  }
}
