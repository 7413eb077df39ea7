import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { keyIdOf, verifierKey, type ContractClass } from '@zizhu/chain';
import { KeystoreError, fromBase64 } from '@zizhu/crypto';
import { ORG_KINDS, genesisHash, type GenesisDocument, type OrgKind } from '@zizhu/contract-system';
import { out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { buildGenesis, DEV_ORGS, type ChannelSpec, type OrgSpec } from '@zizhu/consortium';
import { resolveContract } from '../registry.js';
import { collect, exists, openOrCreateKeystore, scryptN, scryptNOption } from '../support.js';

interface GenesisCreateOptions {
  out: string;
  keystore: string;
  consortium: string;
  dev?: boolean;
  org?: string[];
  channel?: string[];
  nodeName?: string;
  nodeOrg?: string;
  force?: boolean;
  time?: string;
  scryptN?: string;
}

/** `id:KIND:Name` (the name may contain colons). */
export function parseOrgSpec(spec: string): OrgSpec {
  const first = spec.indexOf(':');
  const second = spec.indexOf(':', first + 1);
  if (first <= 0 || second < 0 || second === spec.length - 1) throw new UsageError(`--org ${JSON.stringify(spec)}: expected id:KIND:Name`);
  const id = spec.slice(0, first);
  const kind = spec.slice(first + 1, second);
  if (!(ORG_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--org ${JSON.stringify(spec)}: unknown kind ${kind} (one of ${ORG_KINDS.join(', ')})`);
  return { id, kind: kind as OrgKind, name: spec.slice(second + 1) };
}

/** `name:org1,org2:contract1,contract2`; `*` as the member list means every organisation. */
export function parseChannelSpec(spec: string, orgs: readonly OrgSpec[]): ChannelSpec {
  const parts = spec.split(':');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new UsageError(`--channel ${JSON.stringify(spec)}: expected name:org1,org2:contract1,contract2`);
  const [name, members, contracts] = parts;
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const memberList = members === '*' ? orgs.map((o) => o.id) : list(members);
  for (const m of memberList) if (!orgs.some((o) => o.id === m)) throw new UsageError(`--channel ${name}: unknown member organisation ${m}`);
  const contractList = list(contracts);
  for (const c of contractList) resolveContract(c);
  return { name, members: memberList, contracts: contractList };
}

export interface GenesisCreated {
  genesis: string;
  genesisHash: string;
  consortium: string;
  orgs: string[];
  channels: string[];
  contracts: { name: string; version: string; codeHash: string }[];
  node: { name: string; org: string; keyId: string; verifierKey: string };
  keystore: string;
}

/** `zizhu genesis create`: a consortium's genesis document, with every generated key in the keystore. */
export async function genesisCreate(ctx: CliContext, opts: GenesisCreateOptions): Promise<GenesisCreated> {
  const orgs: OrgSpec[] = [...(opts.dev ? DEV_ORGS : []), ...(opts.org ?? []).map(parseOrgSpec)];
  if (orgs.length === 0) throw new UsageError('no organisations: give --org id:KIND:Name (repeatable) or --dev');
  const channels: ChannelSpec[] = [];
  if (opts.dev) channels.push({ name: 'notary', members: orgs.map((o) => o.id), contracts: ['notary'] });
  for (const spec of opts.channel ?? []) {
    const channel = parseChannelSpec(spec, orgs);
    if (channel.name === 'system') throw new UsageError('--channel system: the system channel is created with every organisation; name another channel');
    const i = channels.findIndex((c) => c.name === channel.name);
    if (i >= 0 && opts.dev && channel.name === 'notary') channels[i] = channel;
    else channels.push(channel);
  }
  const contracts = new Map<string, ContractClass>();
  for (const c of channels.flatMap((ch) => ch.contracts)) if (c !== 'system') contracts.set(c, resolveContract(c));

  const nodeOrg = opts.nodeOrg ?? orgs[0].id;
  if (!orgs.some((o) => o.id === nodeOrg)) throw new UsageError(`--node-org ${nodeOrg} is not one of the organisations`);
  const nodeName = opts.nodeName ?? `${nodeOrg}.node`;
  let time: number | undefined;
  if (opts.time !== undefined) {
    time = Number(opts.time);
    if (!Number.isSafeInteger(time) || time <= 0) throw new UsageError('--time must be integer milliseconds since the epoch');
  }
  if (!opts.force && (await exists(opts.out))) throw new UsageError(`${opts.out} already exists (use --force to overwrite it)`);

  const { keystore } = await openOrCreateKeystore(ctx, opts.keystore, scryptN(ctx, opts.scryptN));
  if (keystore.has('node') && keystore.type('node') !== 'ed25519') throw new UsageError(`${opts.keystore}: the key "node" is not an Ed25519 key`);
  let doc: GenesisDocument;
  try {
    doc = await buildGenesis({ consortium: opts.consortium, orgs, channels, nodeName, nodeOrg, keystore, contracts: [...contracts.values()], time });
  } catch (e) {
    if (e instanceof KeystoreError && e.code === 'KEY_EXISTS') throw new UsageError(`${opts.keystore}: ${e.message} (use a fresh keystore for a new consortium)`);
    throw e;
  }
  // Keys first: a genesis whose private keys were lost would be worthless.
  await keystore.save(opts.keystore);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify(doc, null, 2)}\n`, { encoding: 'utf8', flag: opts.force ? 'w' : 'wx' });
  const node = doc.nodes[0];
  const nodeKey = fromBase64(node.publicKey);
  return {
    genesis: opts.out,
    genesisHash: genesisHash(doc),
    consortium: doc.consortium,
    orgs: doc.orgs.map((o) => o.id),
    channels: doc.channels.map((c) => c.name),
    contracts: doc.contracts,
    node: { name: node.name, org: node.org, keyId: keyIdOf(nodeKey), verifierKey: verifierKey(node.name, nodeKey) },
    keystore: opts.keystore,
  };
}

export function registerGenesisCreate(genesis: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  genesis
    .command('create')
    .description('generate a consortium: CA certificates and keys per organisation, a node key, and genesis.json')
    .requiredOption('--out <file>', 'where to write the genesis document')
    .requiredOption('--keystore <file>', 'keystore receiving the private keys (created if absent; an existing "node" key is reused)')
    .option('--consortium <id>', 'consortium id', 'dev')
    .option('--dev', `the development organisations (${DEV_ORGS.length}) and a notary channel of all of them`)
    .option('--org <id:KIND:Name>', 'an organisation (repeatable)', collect)
    .option('--channel <name:orgs:contracts>', 'a channel: name:org1,org2:contract1,contract2, members * for all (repeatable)', collect)
    .option('--node-name <name>', 'the node\'s checkpoint key name (default <node-org>.node)')
    .option('--node-org <org>', 'the organisation operating the node (default: the first)')
    .option('--force', 'overwrite an existing genesis file')
    .addOption(new Option('--time <ms>', 'genesis time (ms since the epoch)').hideHelp())
    .addOption(scryptNOption())
    .action((opts: GenesisCreateOptions) =>
      action(async () => {
        out(ctx, JSON.stringify(await genesisCreate(ctx, opts), null, 2));
      }),
    );
}
