import { describe, it, expect } from '@jest/globals';
import { parse, type OperationDefinitionNode } from 'graphql';
import { operationDepth } from './query-limits.plugin.js';

const depth = (query: string) => {
  const doc = parse(query);
  return operationDepth(doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, doc);
};

describe('operationDepth', () => {
  it('counts nested selections', () => {
    expect(depth('{ me { id } }')).toBe(2);
    expect(depth('{ a { b { c { d } } } e }')).toBe(4);
  });
  it('expands fragments and inline fragments', () => {
    expect(depth('{ a { ...F } } fragment F on T { b { ... on U { c { d } } } }')).toBe(4);
  });
  it('does not count introspection fields', () => {
    expect(depth('{ __schema { types { fields { type { ofType { ofType { name } } } } } } me { id } }')).toBe(2);
  });
});
