import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Keystore, toBase64, generateEd25519, ed25519PublicKeyFromPrivate } from '@zizhu/crypto';
import { SystemContract, validateGenesis, type GenesisDocument, type OrgKind } from '@zizhu/contract-system';
import { contractCodeHash, type ContractClass } from '@zizhu/chain';

// @peculiar/x509 types its provider with the DOM's Crypto, which Node's webcrypto implements.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface OrgSpec {
  id: string;
  name: string;
  kind: OrgKind;
}

export interface ChannelSpec {
  name: string;
  members: string[];
  contracts: string[];
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A self-signed X.509 root certificate for an organisation's CA, on its Ed25519 key (base64 DER). */
export async function createOrgCaCertificate(org: OrgSpec, caSeed: Uint8Array, notBefore: Date, years = 10): Promise<string> {
  const privateKey = await webcrypto.subtle.importKey('pkcs8', Buffer.concat([PKCS8_ED25519, caSeed]), { name: 'Ed25519' }, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('raw', ed25519PublicKeyFromPrivate(caSeed), { name: 'Ed25519' }, true, ['verify']);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${org.name} Root CA, O=${org.name}, OU=${org.id}`,
    notBefore,
    notAfter,
    signingAlgorithm: { name: 'Ed25519' },
    keys: { privateKey, publicKey } as webcrypto.CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return toBase64(new Uint8Array(cert.rawData));
}

/**
 * Generates a consortium: for each organisation a CA key and root certificate, an admin signing
 * key and an encryption key; one node key; all private keys into the keystore
 * (`<org>/ca`, `<org>/admin`, `<org>/encryption`, `node`).
 */
export async function buildGenesis(args: {
  consortium: string;
  orgs: OrgSpec[];
  channels: ChannelSpec[];
  nodeName: string;
  nodeOrg: string;
  keystore: Keystore;
  contracts?: ContractClass[];
  time?: number;
}): Promise<GenesisDocument> {
  const time = args.time ?? Date.now();
  const orgs = [];
  for (const org of args.orgs) {
    const ca = generateEd25519();
    args.keystore.addEd25519(`${org.id}/ca`, ca.privateKey);
    const admin = args.keystore.addEd25519(`${org.id}/admin`);
    const enc = args.keystore.addX25519(`${org.id}/encryption`);
    orgs.push({
      id: org.id,
      name: org.name,
      kind: org.kind,
      caCert: await createOrgCaCertificate(org, ca.privateKey, new Date(time)),
      signingKey: toBase64(admin),
      encryptionKey: toBase64(enc),
    });
  }
  const nodeKey = args.keystore.has('node') ? args.keystore.publicKey('node') : args.keystore.addEd25519('node');
  const contracts = [SystemContract, ...(args.contracts ?? [])].map((c) => ({ name: c.contractName, version: c.version, codeHash: contractCodeHash(c) }));
  const doc: GenesisDocument = {
    format: 'zizhu-genesis/v1',
    consortium: args.consortium,
    time,
    orgs,
    nodes: [{ name: args.nodeName, org: args.nodeOrg, publicKey: toBase64(nodeKey) }],
    channels: [{ name: 'system', members: args.orgs.map((o) => o.id), contracts: ['system'] }, ...args.channels],
    contracts,
  };
  validateGenesis(doc);
  return doc;
}
