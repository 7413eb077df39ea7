import { Chain, PgLedgerStore, type ChainConfig, type ContractClass } from '@zizhu/chain';
import { SystemContract, SystemDirectory, genesisChannels, type GenesisDocument } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import type { Keystore } from '@zizhu/crypto';
import { createDevConsortium } from '@zizhu/consortium';

export const CONTRACTS: ContractClass[] = [SystemContract, NotaryContract];

/** A small consortium for engine tests: a bank, a regulator, a platform; a `notary` channel. */
export async function testConsortium(time = Date.now()) {
  return createDevConsortium({
    consortium: 'test',
    orgs: [
      { id: 'bank-a', name: 'Bank A', kind: 'BANK' },
      { id: 'regulator', name: 'Regulator', kind: 'REGULATOR' },
      { id: 'platform-a', name: 'Platform A', kind: 'PLATFORM' },
      { id: 'outsider', name: 'Outsider', kind: 'ISSUER' },
    ],
    channels: [
      { name: 'notary', members: ['bank-a', 'regulator', 'platform-a'], contracts: ['notary'] },
      { name: 'notary-b', members: ['bank-a', 'regulator'], contracts: ['notary'] },
    ],
    contracts: [NotaryContract],
    scryptN: 1024,
    time,
  });
}

/** Opens a chain on `url` and creates the genesis channels if the database is new. */
export async function openChain(
  url: string,
  genesis: GenesisDocument,
  keystore: Keystore,
  opts: { config?: Partial<ChainConfig>; clock?: () => number; contracts?: ContractClass[] } = {},
): Promise<Chain> {
  const chain = await Chain.open({
    store: new PgLedgerStore({ connectionString: url }),
    directory: new SystemDirectory(),
    contracts: opts.contracts ?? CONTRACTS,
    node: { name: genesis.nodes[0].name, signer: keystore.signer('node') },
    config: { verifyWorkers: 1, ...opts.config },
    clock: opts.clock,
  });
  for (const ch of genesisChannels(genesis)) await chain.createChannel(ch.name, ch);
  return chain;
}
