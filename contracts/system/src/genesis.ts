import { canonicalJson, sha256Hex, fromBase64, type JsonValue } from '@zizhu/crypto';
import { keyIdOf } from '@zizhu/chain';

export const ORG_KINDS = [
  'BANK',
  'REGULATOR',
  'PLATFORM',
  'HOSPITAL',
  'CARRIER',
  'FORWARDER',
  'CUSTOMS',
  'SHIPPER',
  'WAREHOUSE',
  'ISSUER',
  'READING_PLATFORM',
  'ARBITRATOR',
  'NODE_OPERATOR',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export interface GenesisOrg {
  id: string;
  name: string;
  kind: OrgKind;
  /** The organisation's root CA certificate, base64 DER. */
  caCert: string;
  /** The organisation admin's Ed25519 public key (base64, raw 32 bytes). */
  signingKey: string;
  /** The organisation's X25519 encryption key (base64, raw 32 bytes): JWE recipient key. */
  encryptionKey: string;
}

export interface GenesisDocument {
  format: 'zizhu-genesis/v1';
  consortium: string;
  time: number;
  orgs: GenesisOrg[];
  /** Nodes allowed to propose blocks, with their checkpoint key names. */
  nodes: { name: string; org: string; publicKey: string }[];
  channels: { name: string; members: string[]; contracts: string[] }[];
  /** Contract code approved at genesis. */
  contracts: { name: string; version: string; codeHash: string }[];
}

export class GenesisError extends Error {
  override readonly name = 'GenesisError';
}

const ID = /^[a-z][a-z0-9-]{0,62}$/;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function rawKey(b64: string, what: string): Buffer {
  let raw: Buffer;
  try {
    raw = fromBase64(b64);
  } catch {
    throw new GenesisError(`${what} is not base64`);
  }
  if (raw.length !== 32) throw new GenesisError(`${what} must be a raw 32-byte key`);
  return raw;
}

/** Checks a genesis document's internal consistency; throws GenesisError naming the problem. */
export function validateGenesis(doc: GenesisDocument): void {
  if (doc.format !== 'zizhu-genesis/v1') throw new GenesisError('format must be zizhu-genesis/v1');
  if (!ID.test(doc.consortium)) throw new GenesisError('consortium must be a lowercase id');
  if (!Number.isSafeInteger(doc.time) || doc.time <= 0) throw new GenesisError('time must be integer milliseconds');
  if (!Array.isArray(doc.orgs) || doc.orgs.length === 0) throw new GenesisError('at least one organisation is needed');
  const orgs = new Set<string>();
  for (const o of doc.orgs) {
    if (!ID.test(o.id)) throw new GenesisError(`organisation id ${JSON.stringify(o.id)} is not a lowercase id`);
    if (orgs.has(o.id)) throw new GenesisError(`organisation ${o.id} is listed twice`);
    if (!ORG_KINDS.includes(o.kind)) throw new GenesisError(`organisation ${o.id} has unknown kind ${o.kind}`);
    if (typeof o.name !== 'string' || o.name.length === 0) throw new GenesisError(`organisation ${o.id} needs a name`);
    if (typeof o.caCert !== 'string' || o.caCert.length === 0) throw new GenesisError(`organisation ${o.id} needs a CA certificate`);
    rawKey(o.signingKey, `${o.id}.signingKey`);
    rawKey(o.encryptionKey, `${o.id}.encryptionKey`);
    orgs.add(o.id);
  }
  if (!Array.isArray(doc.nodes) || doc.nodes.length === 0) throw new GenesisError('at least one node is needed');
  for (const n of doc.nodes) {
    if (!KEY_NAME.test(n.name)) throw new GenesisError(`node name ${JSON.stringify(n.name)} is not a valid key name`);
    if (!orgs.has(n.org)) throw new GenesisError(`node ${n.name} belongs to unknown organisation ${n.org}`);
    rawKey(n.publicKey, `node ${n.name} publicKey`);
  }
  const contracts = new Set(doc.contracts.map((c) => c.name));
  if (!contracts.has('system')) throw new GenesisError('the system contract must be approved at genesis');
  const channels = new Set<string>();
  for (const c of doc.channels) {
    if (!ID.test(c.name) || channels.has(c.name)) throw new GenesisError(`channel ${JSON.stringify(c.name)} is invalid or listed twice`);
    channels.add(c.name);
    for (const m of c.members) if (!orgs.has(m)) throw new GenesisError(`channel ${c.name} names unknown member ${m}`);
    for (const k of c.contracts) if (!contracts.has(k)) throw new GenesisError(`channel ${c.name} names contract ${k}, which genesis does not approve`);
  }
  const system = doc.channels.find((c) => c.name === 'system');
  if (!system) throw new GenesisError('a system channel is required');
  if (system.members.length !== orgs.size) throw new GenesisError('every organisation must be a member of the system channel');
  if (!system.contracts.includes('system')) throw new GenesisError('the system channel must run the system contract');
}

export const genesisHash = (doc: GenesisDocument): string => sha256Hex(canonicalJson(doc));

/** The initial state of every channel, as the engine's createChannel takes it. System channel first. */
export function genesisChannels(doc: GenesisDocument): { name: string; time: number; writes: [string, JsonValue][] }[] {
  validateGenesis(doc);
  const hash = genesisHash(doc);
  const system: [string, JsonValue][] = [['consortium', { id: doc.consortium, genesisHash: hash, time: doc.time }]];
  for (const o of doc.orgs) {
    system.push([`org/${o.id}`, { ...o, status: 'ACTIVE' }]);
    const keyId = keyIdOf(fromBase64(o.signingKey));
    system.push([`key/${keyId}`, { keyId, publicKey: o.signingKey, org: o.id, roles: ['admin'], status: 'ACTIVE', label: 'org-admin', since: 0 }]);
  }
  for (const n of doc.nodes) {
    const keyId = keyIdOf(fromBase64(n.publicKey));
    system.push([`node/${keyId}`, { keyId, name: n.name, org: n.org, publicKey: n.publicKey }]);
  }
  for (const c of doc.channels) system.push([`channel/${c.name}`, { name: c.name, members: c.members, contracts: c.contracts }]);
  for (const c of doc.contracts) system.push([`contract/${c.name}`, { name: c.name, version: c.version, codeHash: c.codeHash, status: 'ACTIVE', since: 0 }]);
  const others = doc.channels
    .filter((c) => c.name !== 'system')
    .map((c) => ({ name: c.name, time: doc.time, writes: [[`~genesis`, { consortium: doc.consortium, genesisHash: hash }]] as [string, JsonValue][] }));
  return [{ name: 'system', time: doc.time, writes: system }, ...others];
}
