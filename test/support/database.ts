import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** Where tests create their databases: a PostgreSQL server we may CREATE DATABASE on. */
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database per test suite (ledger tables are append-only, so no truncating between tests). */
export async function createTestDatabase(prefix = 'zizhu_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_ADMIN_URL });
      await c.connect();
      try {
        // pg-pool's end() resolves once its clients are told to end, not when their sessions have
        // gone: a session still closing that FORCE terminates sends its client a FATAL error, which
        // pg-pool emits on the pool with no listener left (an unhandled 'error' that failed CI once).
        // Give closing sessions a moment to leave; FORCE only what is still there after that.
        for (let waited = 0; waited < 1_000; waited += 25) {
          const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
