import { describe, it, expect } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { LedgerError, TransactionRefused } from '@zizhu/chain';
import { createErrorFormatter } from './error-formatter.js';
import { AppError } from './errors.js';

function formatterWithLog() {
  const logged: string[] = [];
  const logger = { log: () => undefined, warn: (m: unknown) => logged.push(String(m)), error: (m: unknown) => logged.push(String(m)) };
  return { format: createErrorFormatter(logger), logged };
}

/** What Apollo hands the formatter for an error thrown in a resolver. */
const fromResolver = (original: Error, code = 'INTERNAL_SERVER_ERROR') => {
  const error = new GraphQLError(original.message, { path: ['field'], originalError: original });
  return { formatted: { message: original.message, path: ['field'], extensions: { code } }, error };
};

describe('the GraphQL error formatter', () => {
  it('keeps an AppError’s code and reason', () => {
    const { format } = formatterWithLog();
    const { formatted, error } = fromResolver(new AppError('CONFLICT', 'taken', 'USERNAME_TAKEN'));
    expect(format(formatted, error)).toEqual({ message: 'taken', path: ['field'], extensions: { code: 'CONFLICT', reason: 'USERNAME_TAKEN' } });
  });

  it('maps engine refusals and errors through one table', () => {
    const { format } = formatterWithLog();
    expect(format(...Object.values(fromResolver(new TransactionRefused('REPLAYED', 'again'))) as [never, never]).extensions).toEqual({ code: 'CONFLICT', reason: 'REPLAYED' });
    expect(format(...Object.values(fromResolver(new TransactionRefused('OVERLOADED', 'busy'))) as [never, never]).extensions).toEqual({ code: 'RATE_LIMITED', reason: 'OVERLOADED' });
    expect(format(...Object.values(fromResolver(new LedgerError('COMMIT_UNCERTAIN', 'lost'))) as [never, never]).extensions).toEqual({ code: 'UNAVAILABLE', reason: 'COMMIT_UNCERTAIN' });
  });

  it('answers anything unexpected as INTERNAL with a generic message and a reference; the stack is logged, never sent', () => {
    const { format, logged } = formatterWithLog();
    const bug = new TypeError("Cannot read properties of undefined (reading 'secret')");
    const { formatted, error } = fromResolver(bug);
    const out = format(formatted, error);
    expect(out.extensions!.code).toBe('INTERNAL');
    expect(out.message).toMatch(/^internal error \(reference [0-9a-f-]{36}\)$/);
    expect(JSON.stringify(out)).not.toContain('secret');
    expect(logged.join('\n')).toContain(bug.stack!.split('\n')[1].trim());
    expect(logged.join('\n')).toContain(String(out.extensions!.reference));
  });

  it('answers a database that does not answer as UNAVAILABLE', () => {
    const { format } = formatterWithLog();
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(format(...Object.values(fromResolver(down)) as [never, never]).extensions).toEqual({ code: 'UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
  });

  it('keeps Apollo’s request-level codes as the reason of BAD_USER_INPUT', () => {
    const { format } = formatterWithLog();
    const parse = new GraphQLError('Syntax Error: Unexpected <EOF>.');
    expect(format({ message: parse.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, parse).extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_PARSE_FAILED' });
    const tooMany = new GraphQLError('Too many errors processing variables, error limit reached. Execution aborted.');
    expect(format({ message: tooMany.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, tooMany).extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_REQUEST' });
  });
});
