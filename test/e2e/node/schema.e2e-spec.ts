import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { ALLOW_METADATA } from '@zizhu/platform';
import { SCHEMA_FILE, SCHEMA_RESOLVERS, generateSchemaText } from '@zizhu/node';

describe('GraphQL schema', () => {
  it('is committed as generated: schema.graphql does not drift from the resolvers (run `npm run schema` after changing them)', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    const generated = await generateSchemaText();
    expect(committed).toBe(generated);
  });

  it('declares a permission on every query, mutation and subscription (the guard refuses those without one)', () => {
    const undeclared: string[] = [];
    let operations = 0;
    for (const resolver of SCHEMA_RESOLVERS) {
      for (const name of Object.getOwnPropertyNames(resolver.prototype)) {
        const method = (resolver.prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function' || !Reflect.getMetadata(RESOLVER_TYPE_METADATA, method)) continue;
        const type = Reflect.getMetadata(RESOLVER_TYPE_METADATA, method) as string;
        if (!['Query', 'Mutation', 'Subscription'].includes(type)) continue;
        operations++;
        if (!Reflect.getMetadata(ALLOW_METADATA, method)) undeclared.push(`${resolver.name}.${name}`);
      }
    }
    expect(operations).toBeGreaterThanOrEqual(22);
    expect(undeclared).toEqual([]);
  });
});
