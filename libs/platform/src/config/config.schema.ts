import { z } from 'zod';

/**
 * Every configuration variable of a node, declared once: its validation, default, whether it is
 * secret (never printed), and what it is for. Read once from the environment at boot.
 */
export interface VariableSpec {
  schema: z.ZodType;
  secret?: boolean;
  description: string;
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const powerOfTwo = (max: number) =>
  z.coerce
    .number()
    .int()
    .min(2)
    .max(max)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two');
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

export const CONFIG_VARIABLES = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']).default('development'), description: 'production requires a keystore passphrase and external services' },
  ZIZHU_HOME: { schema: z.string().min(1).default('.zizhu'), description: 'where the node keeps its keystore, genesis, embedded PostgreSQL and dev credentials' },
  ZIZHU_ROLE: { schema: z.enum(['all', 'api', 'worker']).default('all'), description: 'all: API and workers in one process; api: HTTP only; worker: jobs only (no HTTP)' },
  HOST: { schema: z.string().min(1).default('127.0.0.1'), description: 'address the HTTP server binds' },
  PORT: { schema: port.default(4000), description: 'HTTP port (GraphQL at /graphql)' },
  DATABASE_URL: { schema: url(['postgres:', 'postgresql:']).optional(), secret: true, description: 'PostgreSQL; absent: an embedded PostgreSQL under ZIZHU_HOME' },
  DATABASE_CONNECT_TIMEOUT_MS: { schema: positiveInt.default(30_000), description: 'how long boot waits for PostgreSQL to answer before it stops, naming DATABASE_URL' },
  REDIS_URL: { schema: url(['redis:', 'rediss:']).optional(), secret: true, description: 'Redis for queues and rate limits; absent: 127.0.0.1:6379 if it answers, else redis-server from PATH' },
  QUEUE_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, _ . - (at most 63)').default('zizhu'),
    description: 'BullMQ key prefix in Redis: the api and worker processes of one node share it; different nodes sharing a Redis need different ones',
  },
  ZIZHU_KEYSTORE_PASSPHRASE: { schema: z.string().min(12).optional(), secret: true, description: 'passphrase of the node keystore; required in production (development generates one under ZIZHU_HOME)' },
  ZIZHU_KEYSTORE_SCRYPT_N: { schema: powerOfTwo(2 ** 20).default(2 ** 15), description: 'scrypt cost of a keystore created on first start (tests lower it)' },
  PASSWORD_SCRYPT_N: { schema: powerOfTwo(2 ** 20).default(2 ** 14), description: 'scrypt cost of new password hashes (each hash records its own cost)' },
  CONSORTIUM_ID: { schema: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).default('dev'), description: 'consortium id of a development consortium created on first start' },
  NODE_ORG: { schema: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).default('bank-a'), description: 'the organisation that runs this node' },
  ACCESS_TOKEN_TTL_SECONDS: { schema: positiveInt.default(900), description: 'lifetime of a login JWT' },
  REFRESH_TOKEN_TTL_SECONDS: { schema: positiveInt.default(30 * 24 * 3600), description: 'lifetime of a refresh token' },
  BLOCK_MAX_TXS: { schema: positiveInt.default(2000), description: 'cut a block at this many transactions' },
  BLOCK_MAX_WAIT_MS: { schema: positiveInt.default(10), description: 'or this long after the oldest waiting transaction' },
  BLOCK_PIPELINE: {
    schema: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    description: "execute a business channel's next block while the last one is being written (commits stay one at a time, in order); false: one block at a time",
  },
  VERIFY_WORKERS: { schema: z.coerce.number().int().min(0).max(64).default(2), description: 'worker threads verifying signatures' },
  SEAL_WORKERS: {
    schema: z.coerce.number().int().min(0).max(64).default(1),
    description: 'worker threads sealing (JWE) and signing the transactions the node signs for its users in batches (evidence anchoring); 0: on the main thread',
  },
  WORKER_NICE: {
    schema: z.coerce.number().int().min(0).max(19).default(10),
    description:
      'nice value the verify and sealing workers lower themselves to (Linux): under CPU contention the main thread, which every transaction passes through, goes first; idle cores they still use fully. 0: the main thread\'s priority',
  },
  REPLICA_TAKEOVER_MS: {
    schema: z.coerce.number().int().min(0).max(600_000).default(1000),
    description: 'an API process finding the ledger committed by another becomes a replica (reads served, writes forwarded) and tries to take the commit over this often; 0: it stops at boot instead',
  },
  COMMITTER_CATCH_UP_MS: {
    schema: z.coerce.number().int().min(0).max(24 * 3600_000).default(5 * 60_000),
    description: 'while a process commits, it catches up this often on work whose job Redis lost (expired envelopes, overdue instalments), as it does when it starts committing; 0: only then',
  },
  ADVERTISE_URL: {
    schema: z.string().default('').pipe(z.union([z.literal(''), url(['http:', 'https:'])])),
    description: 'base URL at which replicas reach this process when it commits (absent: the address it listens on)',
  },
  RATE_LIMIT_PER_MINUTE: { schema: positiveInt.default(6000), description: 'GraphQL operations and rate-limited HTTP requests per signed-in user or API key per minute' },
  PUBLIC_RATE_LIMIT_PER_MINUTE: {
    schema: positiveInt.default(600),
    description: 'the same for anonymous callers, per client address: public verification (GraphQL and GET/POST /evidence/verify), logins; benchmarks raise it',
  },
  GRAPHQL_MAX_DEPTH: { schema: positiveInt.default(12), description: 'deepest query accepted' },
  GRAPHQL_MAX_COMPLEXITY: { schema: positiveInt.default(2000), description: 'most complex query accepted (fields, lists weighted by their size)' },
  BODY_LIMIT_BYTES: { schema: positiveInt.default(16 * 1024 * 1024), description: 'largest request body (a batch of 10,000 evidence anchors with their metadata fits)' },
  CHECKPOINT_WEBHOOK_URLS: {
    schema: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(url(['http:', 'https:']))),
    description: 'comma-separated URLs receiving every new checkpoint (POST, retried with backoff)',
  },
  WEBHOOK_ALLOW_HTTP: {
    schema: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    description: 'development and tests only (boot refuses it in production): organisations\' webhook endpoints may be http:// URLs, not only https://',
  },
  WEBHOOK_ALLOWED_HOSTS: {
    schema: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')).filter(Boolean)),
    description:
      'comma-separated host names or IP addresses that webhook endpoints may name although they are or resolve to loopback, private, link-local or other non-public addresses (refused by default)',
  },
  WEBHOOK_SECRET_KEYS: {
    schema: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,15}:[0-9a-f]{64}$/, 'each entry must be <key id>:<64 lowercase hex> (key id: 1-16 of a-z, 0-9, -)')))
      .refine((keys) => new Set(keys.map((k) => k.split(':')[0])).size === keys.length, 'names a key id twice'),
    secret: true,
    description:
      'AES-256-GCM keys sealing webhook endpoints\' signing secrets at rest, `<id>:<64 hex>` comma-separated: the first seals, every one opens; absent: a key derived from ZIZHU_KEYSTORE_PASSPHRASE (development without one: from CONSORTIUM_ID)',
  },
  WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: {
    schema: z.coerce.number().int().min(0).max(30 * 24 * 3600).default(24 * 3600),
    description: 'after rotateWebhookEndpointSecret, deliveries are signed under the old secret too for this long',
  },
  WEBHOOK_DISABLE_AFTER_FAILURES: { schema: positiveInt.default(50), description: 'a webhook endpoint whose deliveries failed this many times in a row is disabled (reason CONSECUTIVE_FAILURES)' },
  WEBHOOK_DELIVERY_LOG_RETENTION_DAYS: { schema: positiveInt.default(30), description: 'webhook delivery attempts are kept this long in the delivery log (the hourly clean-up deletes older ones)' },
  CONTENT_STORE_DIR: {
    schema: z.string().default(''),
    description: 'where the content store keeps documents (content-addressed by SHA-256; absent: ZIZHU_HOME/content)',
  },
  UPLOAD_MAX_BYTES: { schema: positiveInt.max(2 ** 40).default(50 * 1024 * 1024), description: 'largest file a streamed upload accepts (413, reason UPLOAD_TOO_LARGE)' },
  LENDING_IDENTITY_KEY: {
    schema: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (32 bytes)').optional(),
    secret: true,
    description:
      'lending: the consortium-wide key of borrower pseudonyms (HMAC-SHA256 of the national ID), the same on every platform node; absent: development derives one from CONSORTIUM_ID, production registers no customers',
  },
  LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE: {
    schema: positiveInt.default(120),
    description: 'lending: operations per minute of one terminal user (borrower, lender), on top of RATE_LIMIT_PER_MINUTE',
  },
  ZIZHU_TEST_CLOCK_TOKEN: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    secret: true,
    description:
      'tests and benchmarks only, never production (boot refuses it there): the node runs on a clock that POST /_internal/v1/test-clock, with this token as bearer, moves forward (a controlled clock for a process of its own)',
  },
  LOG_LEVEL: { schema: z.enum(['error', 'warn', 'info', 'debug']).default('info'), description: 'structured JSON log level' },
} satisfies Record<string, VariableSpec>;

export type ConfigName = keyof typeof CONFIG_VARIABLES;
export type ZizhuConfig = { [K in ConfigName]: z.output<(typeof CONFIG_VARIABLES)[K]['schema']> };
