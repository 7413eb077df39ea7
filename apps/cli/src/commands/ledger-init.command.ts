import type { Command } from 'commander';
import { Chain } from '@zizhu/chain';
import { toBase64 } from '@zizhu/crypto';
import { SystemDirectory, genesisChannels, genesisHash } from '@zizhu/contract-system';
import { err, out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { CONTRACT_REGISTRY, registeredContracts } from '../registry.js';
import { databaseUrl, databaseUrlOption, loadKeystore, openStore, readGenesis } from '../support.js';

interface LedgerInitOptions {
  genesis: string;
  keystore: string;
  databaseUrl?: string;
}

/** `zizhu ledger init`: migrates the database and writes every genesis channel's height-0 block (idempotent). */
export async function ledgerInit(ctx: CliContext, opts: LedgerInitOptions): Promise<void> {
  const genesis = await readGenesis(opts.genesis);
  const url = databaseUrl(ctx, opts.databaseUrl);
  const keystore = await loadKeystore(ctx, opts.keystore);
  if (!keystore.has('node')) throw new UsageError(`${opts.keystore} holds no "node" key`);
  const nodeKey = toBase64(keystore.publicKey('node'));
  const node = genesis.nodes.find((n) => n.publicKey === nodeKey);
  if (!node) throw new UsageError(`the keystore's node key is not a node of this genesis (${genesis.nodes.map((n) => n.name).join(', ')})`);
  for (const c of genesis.channels.flatMap((ch) => ch.contracts)) {
    if (!Object.hasOwn(CONTRACT_REGISTRY, c)) err(ctx, `zizhu: warning: genesis names contract ${c}, which this build of the CLI does not run`);
  }
  const hash = genesisHash(genesis);

  const chain = await Chain.open({
    store: openStore(url),
    directory: new SystemDirectory(),
    contracts: registeredContracts(),
    node: { name: node.name, signer: keystore.signer('node') },
    config: { verifyWorkers: 0 },
  });
  chain.on('error', () => undefined);
  try {
    if (chain.hasChannel(chain.systemChannel)) {
      const existing = await chain.block(chain.systemChannel, 0);
      const consortium = existing?.writes.find((w) => w.key === 'consortium');
      const recorded = consortium?.value ? (JSON.parse(consortium.value) as { genesisHash?: string }).genesisHash : undefined;
      if (recorded !== hash) throw new UsageError(`the database already holds another ledger (genesis ${recorded ?? 'unknown'}, this file is ${hash})`);
    }
    for (const channel of genesisChannels(genesis)) {
      const had = chain.hasChannel(channel.name);
      const block = await chain.createChannel(channel.name, channel);
      const head = had ? chain.head(channel.name) : block;
      out(ctx, had ? `channel ${channel.name}: already initialised (height ${head.header.height})` : `channel ${channel.name}: created (genesis block ${block.hash})`);
    }
    out(ctx, `ledger initialised: consortium ${genesis.consortium}, genesis ${hash}, node ${node.name} (${chain.verifierKey})`);
  } finally {
    await chain.close();
  }
}

export function registerLedgerInit(ledger: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  ledger
    .command('init')
    .description('create the ledger tables and every genesis channel (idempotent; node key "node" from the keystore)')
    .requiredOption('--genesis <file>', 'genesis document')
    .requiredOption('--keystore <file>', 'keystore holding the node key "node"')
    .addOption(databaseUrlOption())
    .action((opts: LedgerInitOptions) => action(() => ledgerInit(ctx, opts)));
}
