import { Inject, Injectable } from '@nestjs/common';
import { keyIdOf } from '@zizhu/chain';
import { toBase64 } from '@zizhu/crypto';
import { issueUserCertificate } from '@zizhu/consortium';
import { CLOCK, type Clock } from '../config/config.module.js';
import { AppError, forbidden } from '../graphql/errors.js';
import { LedgerService } from '../ledger/ledger.service.js';

export interface SigningKeySubject {
  /** Keystore entry: `user/<id>` or `apikey/<id>`. */
  keyName: string;
  org: string;
  /** The certificate's common name (username or API key name). */
  commonName: string;
  kind: 'user' | 'machine';
  roles: string[];
}

/**
 * Signing keys of users and machines: generated into the node's keystore, certified by their
 * organisation's CA, registered on the system channel by the organisation's admin key, and
 * revoked there when their holder is.
 */
@Injectable()
export class SigningKeysService {
  constructor(
    private readonly ledger: LedgerService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Whether this node holds the organisation's admin and CA keys (it can only manage those organisations' people). */
  hostsOrganization(org: string): boolean {
    return this.ledger.keys.has(`${org}/admin`) && this.ledger.keys.has(`${org}/ca`);
  }

  async register(subject: SigningKeySubject): Promise<{ keyId: string; certificate: string }> {
    if (!this.hostsOrganization(subject.org)) throw forbidden(`this node does not hold the keys of ${subject.org}`, 'ORGANIZATION_NOT_HOSTED');
    const org = await this.ledger.organization(subject.org);
    if (!org || org.status !== 'ACTIVE') throw forbidden(`${subject.org} is not an active member of the consortium`, 'ORGANIZATION_INACTIVE');
    const publicKey = await this.ledger.keys.ensureSigningKey(subject.keyName);
    const certificate = await issueUserCertificate({
      caCertificate: org.caCert,
      caSigner: this.ledger.keys.signer(`${subject.org}/ca`),
      org: { id: org.id, name: org.name },
      commonName: subject.commonName,
      kind: subject.kind,
      publicKey,
      notBefore: new Date(this.clock()),
    });
    const receipt = await this.ledger.submitWithKey(`${subject.org}/admin`, {
      channel: this.ledger.systemChannel,
      contract: 'system',
      method: 'registerKey',
      args: { publicKey: toBase64(publicKey), roles: subject.roles, label: `${subject.kind}:${subject.commonName}`.slice(0, 128), certificate },
    });
    // KEY_EXISTS: a retry after a registration whose answer was lost; the key is ours either way.
    if (receipt.status !== 'COMMITTED' && receipt.error?.code !== 'KEY_EXISTS') {
      throw new AppError('CONFLICT', `the ledger refused the key: ${receipt.error?.message ?? receipt.status}`, receipt.error?.code);
    }
    return { keyId: keyIdOf(publicKey), certificate };
  }

  async revoke(org: string, keyId: string, reason: string): Promise<void> {
    if (!this.hostsOrganization(org)) throw forbidden(`this node does not hold the keys of ${org}`, 'ORGANIZATION_NOT_HOSTED');
    const receipt = await this.ledger.submitWithKey(`${org}/admin`, {
      channel: this.ledger.systemChannel,
      contract: 'system',
      method: 'revokeKey',
      args: { keyId, reason: reason.slice(0, 512) },
    });
    if (receipt.status !== 'COMMITTED' && receipt.error?.code !== 'ALREADY_REVOKED') {
      throw new AppError('CONFLICT', `the ledger refused the revocation: ${receipt.error?.message ?? receipt.status}`, receipt.error?.code);
    }
  }
}
