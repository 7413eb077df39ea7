import { PLATFORM_MIGRATIONS } from '@zizhu/migrations';
import {
  CheckpointWebhookJob,
  CleanupJob,
  EventWebhookJob,
  PLATFORM_ENTITIES,
  WebhookEndpointsResolver,
  WebhookEndpointsService,
  WebhookSecretKeyring,
  checkpointWebhookProjection,
  composeZizhuModules,
  defineZizhuModule,
  webhookUrlPolicy,
} from '@zizhu/platform';
import { EVIDENCE_MODULE } from '@zizhu/evidence';
import { LENDING_MODULE } from '@zizhu/lending';
import { NOTARY_MODULE } from './notary/notary.module.js';

/**
 * The node's own tables, projections and jobs, declared like a module's: identity and audit, the
 * job outbox, each block's checkpoint webhooks (in the block's commit), their delivery and the
 * clean-up, organisations' webhook endpoints and the delivery of their events. Its GraphQL is the
 * node's API (NODE_RESOLVERS, in AppModule), and the webhook endpoints' operations.
 */
export const NODE_CORE = defineZizhuModule({
  name: 'node',
  entities: PLATFORM_ENTITIES,
  migrations: PLATFORM_MIGRATIONS,
  projections: (config) => (config.CHECKPOINT_WEBHOOK_URLS.length > 0 ? [checkpointWebhookProjection(config.CHECKPOINT_WEBHOOK_URLS)] : []),
  jobs: ({ pool, config }) => {
    const keyring = WebhookSecretKeyring.fromConfig(config);
    return [
      new CheckpointWebhookJob(),
      new CleanupJob(pool, { webhookDeliveryRetentionDays: config.WEBHOOK_DELIVERY_LOG_RETENTION_DAYS, webhookSecrets: keyring }),
      new EventWebhookJob(pool, { keyring, policy: webhookUrlPolicy(config), disableAfterFailures: config.WEBHOOK_DISABLE_AFTER_FAILURES }),
    ];
  },
  api: { providers: [WebhookEndpointsService], resolvers: [WebhookEndpointsResolver] },
});

/** Every module this node runs, in order (a business module is added here, once). */
export const NODE_MODULES = [NODE_CORE, NOTARY_MODULE, EVIDENCE_MODULE, LENDING_MODULE];

/** The modules put together and checked (names, channels, contracts, entities, migrations unique). */
export const NODE = composeZizhuModules(NODE_MODULES);
