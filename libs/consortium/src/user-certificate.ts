import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { fromBase64, toBase64 } from '@zizhu/crypto';
import './genesis-builder.js'; // sets @peculiar/x509's crypto provider

/** Signs with a key the caller holds (the keystore's CA signer), so the CA seed never leaves it. */
export interface CertificateSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface UserCertificateRequest {
  /** The organisation's root CA certificate (base64 DER, as in genesis). */
  caCertificate: string;
  /** The CA's signing key (`<org>/ca` in the keystore). */
  caSigner: CertificateSigner;
  org: { id: string; name: string };
  /** Login name or API key name: the certificate's common name. */
  commonName: string;
  /** `user` for people, `machine` for API keys (the subject's OU after the organisation id). */
  kind: 'user' | 'machine';
  /** The subject's raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  notBefore: Date;
  years?: number;
}

const importRawEd25519 = (raw: Uint8Array) => webcrypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, true, ['verify']);

/** RFC 4514 escaping of a value in a distinguished name. */
const dnValue = (v: string) => v.replace(/([,+"\\<>;=#])/g, '\\$1').replace(/^ | $/g, '\\ ');

/**
 * An end-entity X.509 certificate for a user's (or machine's) Ed25519 signing key, issued by the
 * organisation's root CA: what `registerKey` carries on chain so outsiders can tie a key to its org.
 */
export async function issueUserCertificate(req: UserCertificateRequest): Promise<string> {
  const ca = new x509.X509Certificate(fromBase64(req.caCertificate));
  const caPublic = Buffer.from(ca.publicKey.rawData).subarray(-32);
  if (!caPublic.equals(Buffer.from(req.caSigner.publicKey))) throw new Error(`the CA signer's key is not the key of ${req.org.id}'s CA certificate`);
  const subjectKey = await importRawEd25519(req.publicKey);
  const notAfter = new Date(req.notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (req.years ?? 2));
  // @peculiar/x509 signs through `crypto.subtle.sign`: route that one call to the keystore's signer.
  const signingCrypto = {
    getRandomValues: webcrypto.getRandomValues.bind(webcrypto),
    subtle: { sign: async (_alg: unknown, _key: unknown, data: ArrayBuffer) => new Uint8Array(req.caSigner.sign(new Uint8Array(data))) },
  } as unknown as Parameters<typeof x509.cryptoProvider.set>[0];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      subject: `CN=${dnValue(req.commonName)}, OU=${dnValue(`${req.org.id}/${req.kind}`)}, O=${dnValue(req.org.name)}`,
      issuer: ca.subject,
      notBefore: req.notBefore,
      notAfter,
      publicKey: new Uint8Array(await webcrypto.subtle.exportKey('spki', subjectKey)),
      signingKey: { algorithm: { name: 'Ed25519' } } as webcrypto.CryptoKey,
      signingAlgorithm: { name: 'Ed25519' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.SubjectKeyIdentifierExtension.create(subjectKey),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    },
    signingCrypto,
  );
  return toBase64(new Uint8Array(cert.rawData));
}

/** Whether `certificate` (base64 DER) was issued by `caCertificate` for `publicKey`, and is valid at `at`. */
export async function verifyUserCertificate(certificate: string, caCertificate: string, publicKey: Uint8Array, at = new Date()): Promise<boolean> {
  const cert = new x509.X509Certificate(fromBase64(certificate));
  const ca = new x509.X509Certificate(fromBase64(caCertificate));
  const subjectKey = Buffer.from(cert.publicKey.rawData).subarray(-32);
  if (!subjectKey.equals(Buffer.from(publicKey)) || cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, date: at });
}
