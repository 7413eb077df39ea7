import pg from 'pg';
import { ConfigError } from '../config/config.js';

// Errors that no amount of waiting fixes: wrong database name, password, or role.
const PERMANENT = new Set(['3D000', '28P01', '28000', '42501']);

const describe = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
};

/**
 * Boot preflight: waits (up to `timeoutMs`) for PostgreSQL to answer, so that a node started with
 * its database does not crash-loop, and a wrong DATABASE_URL stops it with a message naming it.
 */
export async function waitForDatabase(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: Math.max(1000, Math.min(5000, timeoutMs)) });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      const err = e as Error & { code?: string };
      if ((err.code && PERMANENT.has(err.code)) || Date.now() + 500 > deadline) {
        throw new ConfigError('DATABASE_URL', `does not answer (${describe(url)}): ${err.message || err.code || 'connection failed'}`);
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** attempt)));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
