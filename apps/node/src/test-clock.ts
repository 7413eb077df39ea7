import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Clock, type ZizhuConfig } from '@zizhu/platform';

/** Where a test or benchmark moves the clock of a node process started with ZIZHU_TEST_CLOCK_TOKEN. */
export const TEST_CLOCK_PATH = '/_internal/v1/test-clock';

/**
 * The controlled clock of a node process run by tests and benchmarks in a process of its own
 * (`startTestNode(env, { clock })` does the same in-process): wall-clock time plus an offset that
 * only grows, so the ledger's block times never go back. Everything that reads the node's CLOCK
 * follows it (block times and the transactions' `ts`, sessions and token expiry, due dates of
 * jobs); BullMQ's own scheduling does not.
 */
export class TestClock {
  private offsetMs = 0;

  readonly now: Clock = () => Date.now() + this.offsetMs;

  /** Moves forward by `ms` (≥ 0); returns the new time. */
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError('advanceMs must be a non-negative integer');
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/**
 * The controlled clock when ZIZHU_TEST_CLOCK_TOKEN is set, which needs NODE_ENV other than
 * production (loadConfig refuses it there; checked again here, since this is what would let a
 * caller move a node's time).
 */
export function testClockFor(config: ZizhuConfig): TestClock | undefined {
  if (config.ZIZHU_TEST_CLOCK_TOKEN === undefined) return undefined;
  if (config.NODE_ENV === 'production') throw new ConfigError('ZIZHU_TEST_CLOCK_TOKEN', 'must not be set in production');
  return new TestClock();
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `GET` answers `{ now, offsetMs }`; `POST { "advanceMs": n }` moves the clock forward and answers
 * the same. Both need `Authorization: Bearer <ZIZHU_TEST_CLOCK_TOKEN>` (401 otherwise).
 */
export function installTestClock(fastify: FastifyInstance, clock: TestClock, token: string): void {
  const expected = digest(`Bearer ${token}`);
  const allowed = (header: unknown) => typeof header === 'string' && timingSafeEqual(digest(header), expected);
  const state = () => ({ now: clock.now(), offsetMs: clock.offset });
  fastify.get(TEST_CLOCK_PATH, async (request, reply) => {
    if (!allowed(request.headers.authorization)) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', reason: 'NOT_THE_TEST_CLOCK_TOKEN' } });
    return reply.send(state());
  });
  fastify.post(TEST_CLOCK_PATH, async (request, reply) => {
    if (!allowed(request.headers.authorization)) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', reason: 'NOT_THE_TEST_CLOCK_TOKEN' } });
    const advanceMs = (request.body as { advanceMs?: unknown } | null)?.advanceMs;
    if (typeof advanceMs !== 'number' || !Number.isSafeInteger(advanceMs) || advanceMs < 0) {
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', reason: 'INVALID_ADVANCE', message: 'advanceMs must be a non-negative integer (the clock only moves forward)' } });
    }
    clock.advance(advanceMs);
    return reply.send(state());
  });
}
