import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@zizhu/platform';
import { NODE } from './node-modules.js';

/** For the TypeORM CLI (`typeorm migration:generate -d apps/node/dist/data-source.js`): the node's entities and migrations. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/zizhu', NODE.entities, NODE.migrations));
