import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Kind, parse, type DocumentNode } from 'graphql';
import type { DataSource } from 'typeorm';
import type { TxReceipt } from '@zizhu/chain';
import { AppError, ERROR_CODES, unavailable, type ErrorCode } from '../graphql/errors.js';
import type { LedgerService } from './ledger.service.js';

/** Where a replica hands the committer signed transactions (writes outside GraphQL mutations: HTTP routes, jobs). */
export const FORWARDED_TRANSACTIONS_PATH = '/_internal/v1/transactions';
const AUTH_HEADER = 'x-zizhu-node-auth';

/** How long a replica trusts the committer's address it read before reading it again. */
const ADDRESS_TTL_MS = 1000;
/** Hop-by-hop and length headers are the transport's own, never relayed. */
const NOT_RELAYED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade']);

/**
 * One process commits a node's ledger; the others are replicas (same database, same ZIZHU_HOME):
 * they answer queries from the database and forward every GraphQL mutation, unchanged, to the
 * committer, which authenticates, authorises and rate-limits it as if it came first-hand. The
 * committer writes where it can be reached into `node_committer` when it starts committing.
 */
export class CommitterAddress {
  private cached?: { url: string; until: number };

  constructor(
    private readonly db: DataSource,
    private readonly node: string,
  ) {}

  /** Called by the process that commits: replicas forward here from now on. */
  async advertise(url: string): Promise<void> {
    this.cached = undefined;
    await this.db.query(
      `INSERT INTO node_committer (id, url, node, pid, since) VALUES (1, $1, $2, $3, now())
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, node = EXCLUDED.node, pid = EXCLUDED.pid, since = EXCLUDED.since`,
      [url, this.node, process.pid],
    );
  }

  async lookup(): Promise<string | undefined> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.url;
    const rows = (await this.db.query('SELECT url FROM node_committer WHERE id = 1')) as { url: string }[];
    const url = rows[0]?.url;
    this.cached = url ? { url, until: Date.now() + ADDRESS_TTL_MS } : undefined;
    return url;
  }

  forget(): void {
    this.cached = undefined;
  }
}

/** True when the GraphQL request body (one operation or a batch) would run a mutation. */
export function isMutationRequest(body: unknown): boolean {
  const ops = Array.isArray(body) ? body : [body];
  return ops.some((op) => {
    const query = (op as { query?: unknown } | null)?.query;
    if (typeof query !== 'string') return false;
    let document: DocumentNode;
    try {
      document = parse(query, { noLocation: true });
    } catch {
      // The replica answers a syntax error itself, as the committer would.
      return false;
    }
    const name = (op as { operationName?: unknown }).operationName;
    const defs = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const chosen = typeof name === 'string' ? defs.find((d) => d.name?.value === name) : defs.length === 1 ? defs[0] : undefined;
    return chosen?.operation === 'mutation';
  });
}

/**
 * On a replica, POST /graphql mutations go to the committer (the answer relayed as it came);
 * everything else is served here. Installed on every API process: a replica that takes the
 * commit over stops forwarding at once.
 */
export function installWriteForwarding(fastify: FastifyInstance, ledger: LedgerService, committer: CommitterAddress): void {
  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (ledger.isCommitter || request.method !== 'POST' || request.routeOptions?.url !== '/graphql') return;
    if (!isMutationRequest(request.body)) return;
    const unavailable = (message: string) =>
      reply
        .code(503)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ errors: [{ message, extensions: { code: 'UNAVAILABLE', reason: 'NO_COMMITTER' } }] });
    let target: string | undefined;
    try {
      target = await committer.lookup();
    } catch {
      return unavailable('this replica cannot find the process that commits the ledger right now; retry shortly');
    }
    if (!target) return unavailable('no process commits the ledger yet; retry shortly');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!NOT_RELAYED.has(name) && typeof value === 'string') headers[name] = value;
    }
    headers['x-forwarded-for'] = [request.headers['x-forwarded-for'], request.ip].filter(Boolean).join(', ');
    let answer: Response;
    try {
      answer = await fetch(`${target.replace(/\/$/, '')}/graphql`, { method: 'POST', headers, body: JSON.stringify(request.body), signal: AbortSignal.timeout(60_000) });
    } catch {
      committer.forget();
      return unavailable('the process that commits the ledger does not answer; retry shortly (a replica takes over when it is gone)');
    }
    const text = await answer.text();
    reply.code(answer.status).header('content-type', answer.headers.get('content-type') ?? 'application/json; charset=utf-8');
    return reply.send(text);
  });
}

/**
 * The processes of one node share its keystore: an Ed25519 signature is deterministic, so the node
 * key's signature over a fixed label is a secret they all derive alike and nobody else can.
 */
function nodeSecret(ledger: LedgerService): Buffer {
  return ledger.keys.signer('node').sign(Buffer.from('zizhu/forwarded-transactions/v1'));
}

/**
 * Signed transactions between the processes of a node: the committer orders what a replica
 * forwards (the replica has authenticated and authorised the caller and signed or checked the
 * transaction); the replica turns the answer back into the receipt or error it would have had.
 */
function installTransactionForwarding(fastify: FastifyInstance, ledger: LedgerService, committer: CommitterAddress): void {
  const secret = nodeSecret(ledger);
  const header = secret.toString('base64url');
  fastify.post(FORWARDED_TRANSACTIONS_PATH, async (request, reply) => {
    const presented = Buffer.from(String(request.headers[AUTH_HEADER] ?? ''), 'base64url');
    if (presented.length !== secret.length || !timingSafeEqual(presented, secret)) {
      return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', reason: 'NOT_THIS_NODE', message: 'only processes of this node may forward transactions' } });
    }
    try {
      return reply.send({ receipt: await ledger.orderForwarded(request.body) });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return reply.code(409).send({ error: { code: e.code, reason: e.reason, message: e.message } });
    }
  });
  ledger.setForwarder(async (signed) => {
    const target = await committer.lookup().catch(() => undefined);
    if (!target) throw unavailable('no process commits the ledger right now; retry shortly', 'NO_COMMITTER');
    let answer: Response;
    try {
      answer = await fetch(`${target.replace(/\/$/, '')}${FORWARDED_TRANSACTIONS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [AUTH_HEADER]: header },
        body: JSON.stringify(signed),
        signal: AbortSignal.timeout(60_000),
      });
    } catch {
      committer.forget();
      throw unavailable('the process that commits the ledger does not answer; retry shortly', 'NO_COMMITTER');
    }
    const body = (await answer.json().catch(() => ({}))) as { receipt?: TxReceipt; error?: { code?: string; reason?: string; message?: string } };
    if (body.receipt) return body.receipt;
    const code = ERROR_CODES.includes(body.error?.code as ErrorCode) ? (body.error!.code as ErrorCode) : 'UNAVAILABLE';
    throw new AppError(code, body.error?.message ?? `the committing process answered HTTP ${answer.status}`, body.error?.reason ?? 'FORWARDING_FAILED');
  });
}

/**
 * Wires an API process for replicas: forwarding installed (before the server is ready), and the
 * process's address advertised (once listening) whenever it commits, now or after taking over.
 */
export function setUpReplication(fastify: FastifyInstance, ledger: LedgerService, db: DataSource, onError: (e: Error) => void): { advertise(url: string): Promise<void> } {
  const committer = new CommitterAddress(db, ledger.nodeName);
  installWriteForwarding(fastify, ledger, committer);
  installTransactionForwarding(fastify, ledger, committer);
  return {
    async advertise(url: string) {
      if (ledger.isCommitter) await committer.advertise(url);
      ledger.onBecameCommitter(() => void committer.advertise(url).catch(onError));
    },
  };
}
