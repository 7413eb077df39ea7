import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { QueueName, toBullJobId } from '@zizhu/platform';
import { sleep, waitFor } from '../../../libs/platform/src/embedded/local-process.js';
import { startTestNode, type GraphQLResponse, type TestNode } from '../../support/node.js';

const ENVELOPE = 'id status recipients { org status }';

const data = <T>(r: GraphQLResponse<T>): T => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data!;
};

/** A test node booted with `env` for the describe block calling this, and what the tests do there with issuer-a's envelopes. */
function expiryNode(env: Record<string, string> = {}) {
  let t: TestNode;
  let pool: pg.Pool;
  const tok: Record<string, string> = {};
  const gql = <T>(org: string, query: string, variables?: Record<string, unknown>) => t.gql<T>(query, variables, { token: tok[org] });
  const login = async () => {
    for (const org of ['issuer-a', 'bank-a']) tok[org] = await t.login(org, 'admin', t.adminPassword(org));
  };
  const expiryQueue = () => new Queue(QueueName.EVIDENCE_ENVELOPE_EXPIRY, { connection: { url: t.node.config.REDIS_URL! }, prefix: t.node.config.QUEUE_PREFIX });
  beforeAll(async () => {
    t = await startTestNode(env);
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    pool.on('error', () => {});
    await login();
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });
  return {
    get t() {
      return t;
    },
    get pool() {
      return pool;
    },
    gql,
    login,
    expiryQueue,
    envelopeStatus: async (id: string) =>
      data(await gql<{ signingEnvelope: { status: string; recipients: { org: string; status: string }[] } }>('issuer-a', `query($e: String!) { signingEnvelope(envelopeId: $e) { ${ENVELOPE} } }`, { e: id })).signingEnvelope,

    /** An E_CONTRACT anchored by issuer-a, sent for signing to bank-a's admin, expiring in `ms`. */
    async envelopeExpiringIn(ms: number): Promise<{ evidenceId: string; envelopeId: string; expiresAt: number }> {
      const digest = createHash('sha256').update(randomBytes(16)).digest('hex');
      const evidenceId = data(
        await gql<{ anchorEvidence: { id: string } }>('issuer-a', 'mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id } }', { i: { digest: { value: digest }, type: 'E_CONTRACT', holder: 'platform-a' } }),
      ).anchorEvidence.id;
      const expiresAt = Date.now() + ms;
      const envelopeId = data(
        await gql<{ createSigningEnvelope: { id: string } }>('issuer-a', 'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { id } }', {
          i: { evidenceId, expiresAt, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] },
        }),
      ).createSigningEnvelope.id;
      return { evidenceId, envelopeId, expiresAt };
    },

    /** Loses the envelope's delayed job once the relay has handed it to Redis. */
    async loseExpiryJob(envelopeId: string): Promise<void> {
      expect(await waitFor(async () => ((await pool.query('SELECT 1 FROM job_outbox WHERE job_id = $1 AND dispatched_at IS NOT NULL', [`expire:${envelopeId}`])).rowCount === 1 ? true : undefined), 10_000)).toBe(true);
      const queue = expiryQueue();
      try {
        expect(await queue.remove(toBullJobId(`expire:${envelopeId}`))).toBe(1);
      } finally {
        await queue.close();
      }
    },
  };
}

/**
 * Signing envelopes expire through BullMQ: the block that creates an envelope puts a delayed job
 * (`expire:<envelopeId>`, due just after expiresAt) in the outbox; the committing process runs it
 * and submits `expireEnvelope`. A job Redis lost is caught up when a process starts committing,
 * and every COMMITTER_CATCH_UP_MS while it commits.
 */
describe('evidence: envelope expiry as a delayed job on the committer', () => {
  const node = expiryNode();
  const { gql, envelopeStatus, envelopeExpiringIn } = node;

  it('an envelope becomes EXPIRED on chain and in the read model just after its expiry; a signature after it is REVERTED', async () => {
    const { evidenceId, envelopeId, expiresAt } = await envelopeExpiringIn(2_500);
    const { rows } = await node.pool.query<{ queue: string; run_at: Date }>('SELECT queue, run_at FROM job_outbox WHERE job_id = $1', [`expire:${envelopeId}`]);
    expect(rows.map((r) => [r.queue, r.run_at.getTime()])).toEqual([[QueueName.EVIDENCE_ENVELOPE_EXPIRY, expiresAt + 1]]);
    expect((await envelopeStatus(envelopeId)).status).toBe('SENT');

    const expired = await waitFor(async () => {
      const e = await envelopeStatus(envelopeId);
      return e.status === 'EXPIRED' ? { e, at: Date.now() } : undefined;
    }, 15_000, 100);
    expect(expired).toBeDefined();
    expect(expired!.at).toBeGreaterThan(expiresAt);
    // Within a few seconds of the expiry, not at some later sweep.
    expect(expired!.at - expiresAt).toBeLessThan(5_000);
    expect(expired!.e.recipients).toEqual([{ org: 'bank-a', status: 'EXPIRED' }]);

    // On chain: an expireEnvelope transaction, COMMITTED, after which the timeline shows EXPIRED.
    const timeline = data(await gql<{ evidenceRecord: { timeline: { action: string; tx: string; org: string }[] } }>('issuer-a', 'query($id: String!) { evidenceRecord(id: $id) { timeline { action tx org } } }', { id: evidenceId }))
      .evidenceRecord.timeline;
    const flow = timeline.find((f) => f.action === 'EXPIRED');
    expect(flow).toBeDefined();
    const tx = data(await gql<{ transaction: { status: string; method: string; args: unknown } }>('issuer-a', 'query($h: String!) { transaction(hash: $h) { status method args } }', { h: flow!.tx })).transaction;
    expect(tx).toEqual({ status: 'COMMITTED', method: 'expireEnvelope', args: { envelopeId } });

    const late = await gql('bank-a', 'mutation($e: String!) { signEnvelope(envelopeId: $e) { status } }', { e: envelopeId });
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ENVELOPE_EXPIRED' });
  });

  it('an envelope signed before its expiry stays COMPLETED: its job finds it finished and submits nothing', async () => {
    const { evidenceId, envelopeId, expiresAt } = await envelopeExpiringIn(1_500);
    expect(data(await gql<{ signEnvelope: { status: string } }>('bank-a', 'mutation($e: String!) { signEnvelope(envelopeId: $e) { status } }', { e: envelopeId })).signEnvelope.status).toBe('COMPLETED');
    const queue = node.expiryQueue();
    try {
      const done = await waitFor(async () => {
        const job = await queue.getJob(toBullJobId(`expire:${envelopeId}`));
        return job?.finishedOn ? job : undefined;
      }, 10_000);
      expect(Date.now()).toBeGreaterThan(expiresAt);
      expect(done?.returnvalue).toEqual({ finished: 'COMPLETED' });
    } finally {
      await queue.close();
    }
    expect((await envelopeStatus(envelopeId)).status).toBe('COMPLETED');
    const actions = data(await gql<{ evidenceRecord: { timeline: { action: string }[] } }>('issuer-a', 'query($id: String!) { evidenceRecord(id: $id) { timeline { action } } }', { id: evidenceId })).evidenceRecord.timeline;
    expect(actions.map((f) => f.action)).not.toContain('EXPIRED');
  });

  it('an envelope whose job Redis lost is expired when a process starts committing', async () => {
    const { envelopeId, expiresAt } = await envelopeExpiringIn(1_500);
    await node.loseExpiryJob(envelopeId);
    await sleep(Math.max(0, expiresAt - Date.now()) + 1_500);
    expect((await envelopeStatus(envelopeId)).status).toBe('SENT');

    await node.t.restart();
    await node.login();
    expect(await waitFor(async () => ((await envelopeStatus(envelopeId)).status === 'EXPIRED' ? true : undefined), 15_000)).toBe(true);
  });
});

describe('evidence: lost envelope expiry jobs caught up while the node runs', () => {
  const node = expiryNode({ COMMITTER_CATCH_UP_MS: '1000' });

  it('an envelope whose delayed job was removed from Redis is expired by the periodic catch-up, without a restart', async () => {
    const { envelopeId, expiresAt } = await node.envelopeExpiringIn(1_500);
    await node.loseExpiryJob(envelopeId);
    expect((await node.envelopeStatus(envelopeId)).status).toBe('SENT');

    const expired = await waitFor(async () => ((await node.envelopeStatus(envelopeId)).status === 'EXPIRED' ? Date.now() : undefined), 15_000, 100);
    expect(expired).toBeGreaterThan(expiresAt);
    // Within a catch-up interval or two of the expiry (the block time must be past it first).
    expect(expired! - expiresAt).toBeLessThan(5_000);
    // Not by its delayed job: Redis still holds none.
    const queue = node.expiryQueue();
    try {
      expect(await queue.getJob(toBullJobId(`expire:${envelopeId}`))).toBeUndefined();
    } finally {
      await queue.close();
    }
  });
});
