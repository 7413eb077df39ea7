import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { setWebhookSecretSealer } from '@zizhu/migrations';
import { WebhookSecretKeyring, dataSourceOptions, loadConfig } from '@zizhu/platform';
import { NODE } from './node-modules.js';

// Migrations that convert webhook secrets seal them under the key the node would use.
setWebhookSecretSealer(WebhookSecretKeyring.fromConfig(loadConfig()));

/** For the TypeORM CLI (`typeorm migration:generate -d apps/node/dist/data-source.js`): the node's entities and migrations. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/zizhu', NODE.entities, NODE.migrations));
