import { TypeOrmModule } from '@nestjs/typeorm';
import { LendingContract } from '@zizhu/contract-lending';
import { LENDING_MIGRATIONS } from '@zizhu/migrations';
import { GraphQLLimitsModule, UserEntity, defineZizhuModule } from '@zizhu/platform';
import { LENDING_ENTITIES } from './entities/index.js';
import { LENDING_CHANNEL, LendingAccess } from './lending-access.service.js';
import { LendingCustomersResolver } from './lending-customers.resolver.js';
import { LendingCustomersService } from './lending-customers.service.js';
import { LendingDevSeed } from './lending-dev-seed.js';
import { LendingHttpController } from './lending-http.controller.js';
import { LendingPlatformsResolver } from './lending-platforms.resolver.js';
import { LendingPlatformsService } from './lending-platforms.service.js';
import { LendingSupervisionResolver } from './lending-supervision.resolver.js';
import { LendingSupervisionService } from './lending-supervision.service.js';
import { LendingTerminalResolver } from './lending-terminal.resolver.js';
import { CollateralResolver, LoansResolver } from './loans.resolver.js';
import { LoansService } from './loans.service.js';
import { LendingOverdueJob } from './jobs/overdue.job.js';
import { LendingReconciliationJob } from './jobs/reconciliation.job.js';
import { lendingProjection } from './projections/lending.projection.js';

/**
 * The lending module (ARCHITECTURE §5, in the shape of evidence): the lending contract on its own
 * channel (banks, platforms, regulators), read models and supervisory figures projected in each
 * block's commit, GraphQL in two access layers (operations: platforms, banks, the regulator;
 * terminal: borrowers and lenders), CSV exports, the overdue job (on the committer: it submits
 * transactions), the daily custody reconciliation (a worker job), and a development LPR on first start.
 */
export const LENDING_MODULE = defineZizhuModule({
  name: 'lending',
  contracts: [LendingContract],
  channels: [{ name: LENDING_CHANNEL, contracts: ['lending'], memberKinds: ['BANK', 'PLATFORM', 'REGULATOR'] }],
  entities: LENDING_ENTITIES,
  migrations: LENDING_MIGRATIONS,
  projections: () => [lendingProjection([LENDING_CHANNEL])],
  jobs: ({ pool }) => [new LendingReconciliationJob(pool)],
  api: {
    imports: [TypeOrmModule.forFeature([UserEntity]), GraphQLLimitsModule],
    providers: [LendingAccess, LendingPlatformsService, LendingCustomersService, LoansService, LendingSupervisionService, LendingDevSeed],
    resolvers: [LendingPlatformsResolver, LendingCustomersResolver, LoansResolver, CollateralResolver, LendingSupervisionResolver, LendingTerminalResolver],
    controllers: [LendingHttpController],
    committerJobs: [LendingOverdueJob],
  },
});
