import { expect } from '@jest/globals';
import { PgLedgerStore, replayChannel, signTransaction, stateDigest, type Chain, type ContractClass, type ReplayReport, type TxReceipt } from '@zizhu/chain';
import { SystemContract, SystemDirectory, type GenesisDocument } from '@zizhu/contract-system';
import { createDevConsortium, type OrgSpec } from '@zizhu/consortium';
import { encryptForRecipients, fromBase64, type Ed25519Signer, type GeneralJWE, type JwePlaintext, type Keystore } from '@zizhu/crypto';
import { openChain } from './chain-fixture.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface ContractFixtureOptions {
  /** Prefix of the fresh database's name. */
  database: string;
  /** The contract under test, beside the system contract, on a channel of its own name that every organisation is a member of. */
  contract: ContractClass;
  orgs: OrgSpec[];
  /** The chain's clock: block times and transaction timestamps (tests move it forward). */
  clock: () => number;
}

/**
 * A business contract on the engine over PostgreSQL, for its spec: a fresh database, a consortium
 * of `orgs`, transactions signed on the contract's channel, its state read back, and replay. Made
 * before the tests run, opened in `beforeAll`, closed in `afterAll`; its functions need no `this`.
 */
export interface ContractFixture {
  readonly chain: Chain;
  readonly store: PgLedgerStore;
  readonly genesis: GenesisDocument;
  readonly keystore: Keystore;
  open(): Promise<void>;
  close(): Promise<void>;
  /** An organisation's admin key, as `zizhu genesis create` names it. */
  admin(org: string): Ed25519Signer;
  /** Submits a call of the contract, timestamped by the clock. */
  send(signer: Ed25519Signer, method: string, args: Record<string, unknown>): Promise<TxReceipt>;
  /** As `send`, and throws unless it COMMITTED. */
  ok(signer: Ed25519Signer, method: string, args: Record<string, unknown>): Promise<TxReceipt>;
  /** Asserts a REVERT with `code` that wrote nothing to the channel's state. */
  reverts(code: string, signer: Ed25519Signer, method: string, args: Record<string, unknown>): Promise<TxReceipt>;
  /** A state entry of the channel, parsed. */
  read<T>(key: string): Promise<T | undefined>;
  /** The channel's live state, digested as replay digests it. */
  liveDigest(): Promise<string>;
  /** One JWE for the organisations, with their encryption keys from the genesis. */
  sealFor(orgs: readonly string[], data: JwePlaintext): Promise<GeneralJWE>;
  /** A channel replayed from genesis with the fixture's contracts. */
  replay(channel: string): Promise<ReplayReport>;
}

export function contractFixture(opts: ContractFixtureOptions): ContractFixture {
  const channel = opts.contract.contractName;
  const contracts = [SystemContract, opts.contract];
  let db: TestDatabase | undefined;
  let chain: Chain | undefined;
  let store: PgLedgerStore | undefined;
  let consortium: { genesis: GenesisDocument; keystore: Keystore } | undefined;
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the contract fixture is not open: call open() in beforeAll');
    return value;
  };

  const send = (signer: Ed25519Signer, method: string, args: Record<string, unknown>): Promise<TxReceipt> =>
    opened(chain).submit(signTransaction({ channel, contract: channel, method, args: args as never, ts: opts.clock() }, signer));
  const liveDigest = async () => stateDigest(await opened(store).scanState(channel, ''));
  const encryptionKey = (org: string) => fromBase64(opened(consortium).genesis.orgs.find((o) => o.id === org)!.encryptionKey);

  return {
    get chain() {
      return opened(chain);
    },
    get store() {
      return opened(store);
    },
    get genesis() {
      return opened(consortium).genesis;
    },
    get keystore() {
      return opened(consortium).keystore;
    },
    async open() {
      db = await createTestDatabase(opts.database);
      consortium = await createDevConsortium({
        consortium: 'test',
        orgs: opts.orgs,
        channels: [{ name: channel, members: opts.orgs.map((o) => o.id), contracts: [channel] }],
        contracts: [opts.contract],
        scryptN: 1024,
        time: opts.clock() - 1000,
      });
      chain = await openChain(db.url, consortium.genesis, consortium.keystore, { contracts, config: { blockMaxWaitMs: 2 }, clock: opts.clock });
      store = new PgLedgerStore({ connectionString: db.url, poolSize: 2 });
    },
    async close() {
      await store?.close();
      await chain?.close();
      await db?.drop();
    },
    admin: (org) => opened(consortium).keystore.signer(`${org}/admin`),
    send,
    async ok(signer, method, args) {
      const r = await send(signer, method, args);
      if (r.status !== 'COMMITTED') throw new Error(`${method} reverted: ${JSON.stringify(r.error)}`);
      return r;
    },
    async reverts(code, signer, method, args) {
      const before = await liveDigest();
      const r = await send(signer, method, args);
      expect({ method, status: r.status, code: r.error?.code }).toEqual({ method, status: 'REVERTED', code });
      expect(await liveDigest()).toBe(before);
      return r;
    },
    async read<T>(key: string) {
      const v = (await opened(store).readState(channel, [key])).get(key);
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    liveDigest,
    sealFor: (orgs, data) => encryptForRecipients(data, orgs.map((kid) => ({ kid, publicKey: encryptionKey(kid) }))),
    replay: (name) => replayChannel(opened(store), name, { contracts, directory: new SystemDirectory() }),
  };
}
