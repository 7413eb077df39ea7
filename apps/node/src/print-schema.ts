import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { GRAPHQL_SDL_FILE_HEADER, GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { SCHEMA_FILE } from './boot.js';
import { SCHEMA_RESOLVERS } from './resolvers.js';

/**
 * The node's GraphQL schema as Nest generates it from the resolvers, the node's and its modules' (sorted), without a database:
 * what `schema.graphql` must contain. The drift test compares the two.
 */
export async function generateSchemaText(): Promise<string> {
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false, abortOnError: false });
  try {
    const schema = await app.get(GraphQLSchemaFactory).create(SCHEMA_RESOLVERS);
    return GRAPHQL_SDL_FILE_HEADER + printSchema(lexicographicSortSchema(schema));
  } finally {
    await app.close();
  }
}

// `npm run schema`: rewrite schema.graphql (a development boot does the same).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(SCHEMA_FILE, await generateSchemaText(), 'utf8');
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
