import type { Projection } from '@zizhu/chain';

interface NotaryState {
  digest: string;
  owner: string;
  title: string;
  version: number;
  recordedAt: number;
}

/**
 * notary_documents from each block's final `doc/<id>` writes on the notary channels, in the
 * block's own commit transaction (one statement for the block's records, one for its removals).
 */
export function notaryDocumentsProjection(channels: readonly string[]): Projection {
  return async (block, sql) => {
    if (!channels.includes(block.channel)) return;
    const put: [string, NotaryState][] = [];
    const removed: string[] = [];
    for (const [key, value] of block.writes) {
      if (!key.startsWith('doc/')) continue;
      if (value === null) removed.push(key.slice(4));
      else put.push([key.slice(4), value as unknown as NotaryState]);
    }
    if (put.length > 0) {
      await sql.query(
        `INSERT INTO notary_documents (channel, id, digest, owner, title, version, recorded_at, height)
         SELECT $1, t.id, t.digest, t.owner, t.title, t.version, to_timestamp(t.recorded_at / 1000.0), $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[]) AS t(id, digest, owner, title, version, recorded_at)
         ON CONFLICT (channel, id) DO UPDATE SET digest = EXCLUDED.digest, owner = EXCLUDED.owner, title = EXCLUDED.title, version = EXCLUDED.version, recorded_at = EXCLUDED.recorded_at, height = EXCLUDED.height`,
        [
          block.channel,
          block.header.height,
          put.map(([id]) => id),
          put.map(([, s]) => s.digest),
          put.map(([, s]) => s.owner),
          put.map(([, s]) => s.title),
          put.map(([, s]) => s.version),
          put.map(([, s]) => s.recordedAt),
        ],
      );
    }
    if (removed.length > 0) await sql.query('DELETE FROM notary_documents WHERE channel = $1 AND id = ANY($2::text[])', [block.channel, removed]);
  };
}
