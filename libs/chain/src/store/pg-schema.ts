/**
 * The ledger's tables. Ledger tables are append-only: triggers refuse UPDATE, DELETE and TRUNCATE,
 * so only a superuser who disables the trigger can edit them, and `ledger verify` then names the block.
 * `ledger_state` is the current state, derived from the log, and may change.
 */
export const LEDGER_TABLES = ['ledger_blocks', 'ledger_txs', 'ledger_tree_nodes', 'ledger_writes'] as const;

export const LEDGER_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger tables',
    sql: `
CREATE TABLE ledger_blocks (
  channel text NOT NULL,
  height bigint NOT NULL,
  hash text NOT NULL,
  header text NOT NULL,
  checkpoint text NOT NULL,
  time bigint NOT NULL,
  PRIMARY KEY (channel, height)
);
CREATE INDEX ledger_blocks_time ON ledger_blocks (channel, time);
CREATE TABLE ledger_txs (
  channel text NOT NULL,
  seq bigint NOT NULL,
  height bigint NOT NULL,
  hash bytea NOT NULL,
  signed text NOT NULL,
  status text NOT NULL,
  result text NOT NULL,
  leaf text NOT NULL,
  PRIMARY KEY (channel, seq)
);
CREATE UNIQUE INDEX ledger_txs_hash ON ledger_txs (hash);
CREATE TABLE ledger_tree_nodes (
  channel text NOT NULL,
  leaf_end bigint NOT NULL,
  level smallint NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (channel, leaf_end, level)
);
CREATE TABLE ledger_writes (
  channel text NOT NULL,
  height bigint NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text,
  PRIMARY KEY (channel, height, key)
);
CREATE TABLE ledger_state (
  channel text NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (channel, key)
);
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
${['ledger_blocks', 'ledger_txs', 'ledger_tree_nodes', 'ledger_writes']
  .map(
    (t) => `CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();`,
  )
  .join('\n')}
`,
  },
  {
    version: 2,
    name: 'rows up to 8 KB stored inline',
    // A signed transaction or a state value carrying sealed metadata (2-4 KB of JWE) passed the
    // default 2 KB threshold, so every such row was pglz-compressed (base64 ciphertext barely
    // compresses) and often moved to the TOAST table: about 3x the insert cost of an inline row
    // for no space saved. Rows now stay whole in the heap up to a page; larger ones are still toasted.
    sql: ['ledger_txs', 'ledger_writes', 'ledger_state'].map((t) => `ALTER TABLE ${t} SET (toast_tuple_target = 8160);`).join('\n'),
  },
];
