import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function literal(node: ValueNode, variables: Record<string, unknown> | null | undefined): Json {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return (variables?.[node.name.value] ?? null) as Json;
  }
}

/** Any JSON value: contract arguments and results, signed envelopes (their exact content is what is signed). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'A JSON value (object, array, string, number, boolean or null).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literal(node, variables),
});

/** A JSON object (not an array, string or null). */
export const JSONObjectScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput('expected a JSON object', 'NOT_AN_OBJECT');
    return value;
  },
  parseLiteral: (node, variables) => {
    if (node.kind !== Kind.OBJECT) throw badInput('expected a JSON object', 'NOT_AN_OBJECT');
    return literal(node, variables);
  },
});
