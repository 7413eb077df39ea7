import { Keystore } from '@zizhu/crypto';
import type { ContractClass } from '@zizhu/chain';
import type { GenesisDocument, OrgKind } from '@zizhu/contract-system';
import { buildGenesis, type ChannelSpec, type OrgSpec } from './genesis-builder.js';

/** The development consortium's organisations (what a fresh node creates on first start). */
export const DEV_ORGS: OrgSpec[] = (
  [
    ['bank-a', 'Bank A', 'BANK'],
    ['regulator', 'Regulator', 'REGULATOR'],
    ['platform-a', 'Platform A', 'PLATFORM'],
    ['platform-b', 'Platform B', 'PLATFORM'],
    ['hospital-a', 'Hospital A', 'HOSPITAL'],
    ['hospital-b', 'Hospital B', 'HOSPITAL'],
    ['carrier-a', 'Carrier A', 'CARRIER'],
    ['forwarder-a', 'Forwarder A', 'FORWARDER'],
    ['customs', 'Customs', 'CUSTOMS'],
    ['shipper-a', 'Shipper A', 'SHIPPER'],
    ['warehouse-a', 'Warehouse A', 'WAREHOUSE'],
    ['issuer-a', 'Issuer A', 'ISSUER'],
    ['reading-a', 'Reading A', 'READING_PLATFORM'],
    ['arbitrator', 'Arbitrator', 'ARBITRATOR'],
  ] as [string, string, OrgKind][]
).map(([id, name, kind]) => ({ id, name, kind }));

/** A development consortium: genesis plus a keystore holding every generated private key. */
export async function createDevConsortium(args: {
  consortium?: string;
  orgs?: OrgSpec[];
  channels?: ChannelSpec[];
  contracts?: ContractClass[];
  passphrase?: string;
  /** scrypt cost for the keystore; tests lower it. */
  scryptN?: number;
  time?: number;
}): Promise<{ genesis: GenesisDocument; keystore: Keystore }> {
  const orgs = args.orgs ?? DEV_ORGS;
  const keystore = await Keystore.create(args.passphrase ?? 'development only', { N: args.scryptN });
  const genesis = await buildGenesis({
    consortium: args.consortium ?? 'dev',
    orgs,
    channels: args.channels ?? [],
    nodeName: `${orgs[0].id}.node`,
    nodeOrg: orgs[0].id,
    keystore,
    contracts: args.contracts,
    time: args.time,
  });
  return { genesis, keystore };
}
