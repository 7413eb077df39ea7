import type { ApolloServerPlugin } from '@apollo/server';
// The CommonJS build on purpose: its ESM build imports `graphql/index.mjs`, while Nest and Apollo
// (ESM importing the `graphql` package, which has no `exports`) use the CommonJS graphql. Two copies
// of graphql refuse each other's schema objects ("from another module or realm").
import queryComplexity from 'graphql-query-complexity/cjs';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { requestError } from './request-errors.js';

/** Depth of an operation's selections, fragments expanded, introspection fields not counted. */
export function operationDepth(operation: OperationDefinitionNode, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, 1 + depthOf(sel.selectionSet, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, seen));
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        // Validation has already refused fragment cycles; `seen` only keeps this function total.
        if (fragment && !seen.has(name)) max = Math.max(max, depthOf(fragment.selectionSet, new Set(seen).add(name)));
      }
    }
    return max;
  };
  return depthOf(operation.selectionSet, new Set());
}

/** A list field with a `first` argument costs `first` times its items. */
export const firstArgumentEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = args?.first;
  return typeof first === 'number' && Number.isFinite(first) ? 1 + Math.max(0, first) * Math.max(1, childComplexity) : undefined;
};

/**
 * Refuses, before execution, operations deeper than `maxDepth` (reason QUERY_TOO_DEEP) or more
 * complex than `maxComplexity` (QUERY_TOO_COMPLEX): fields cost 1 unless their type says more,
 * and lists taking `first` multiply their items' cost.
 */
export function queryLimitsPlugin(limits: { maxDepth: number; maxComplexity: number }): ApolloServerPlugin {
  // Apollo hands the same parsed document to every request with the same text, so an operation's
  // cost is measured once per document and operation. The estimators read only field arguments,
  // which variables reach only as whole top-level values: the numeric ones are part of the key.
  const measured = new WeakMap<DocumentNode, Map<string, number>>();
  const keyOf = (operationName: string | null | undefined, variables: Record<string, unknown> | undefined) => {
    let key = operationName ?? '';
    for (const [name, value] of Object.entries(variables ?? {})) if (typeof value === 'number') key += `|${name}=${value}`;
    return key;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          const key = keyOf(request.operationName, request.variables);
          let known = measured.get(document);
          const cached = known?.get(key);
          if (cached !== undefined) {
            if (cached < 0) throw requestError('BAD_USER_INPUT', `query depth ${-cached} exceeds the limit of ${limits.maxDepth}`, 'QUERY_TOO_DEEP', 400);
            if (cached > limits.maxComplexity) throw requestError('BAD_USER_INPUT', `query complexity ${cached} exceeds the limit of ${limits.maxComplexity}`, 'QUERY_TOO_COMPLEX', 400);
            return;
          }
          if (!known) measured.set(document, (known = new Map()));
          // Bounded: a client varying its numbers cannot grow this without end.
          if (known.size >= 64) known.clear();
          const depth = operationDepth(operation, document);
          if (depth > limits.maxDepth) {
            known.set(key, -depth);
            throw requestError('BAD_USER_INPUT', `query depth ${depth} exceeds the limit of ${limits.maxDepth}`, 'QUERY_TOO_DEEP', 400);
          }
          let complexity: number;
          try {
            complexity = queryComplexity.getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [queryComplexity.fieldExtensionsEstimator(), firstArgumentEstimator, queryComplexity.simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables that do not coerce: execution refuses them with a precise message. Anything
            // else is a fault of ours and must not pass unchecked.
            if (e instanceof GraphQLError) return;
            throw e;
          }
          known.set(key, complexity);
          if (complexity > limits.maxComplexity) {
            throw requestError('BAD_USER_INPUT', `query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}`, 'QUERY_TOO_COMPLEX', 400);
          }
        },
      };
    },
  };
}
