import { decryptAsRecipient, encryptForRecipients, jweRecipients, JweError, type GeneralJWE, type JwePlaintext, type Keystore } from '@zizhu/crypto';
import { AuditService } from '../audit/audit.service.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { AppError, badInput, forbidden } from '../graphql/errors.js';
import { TtlCache } from '../identity/ttl-cache.js';
import type { LedgerService } from '../ledger/ledger.service.js';

export type { GeneralJWE };

/** The keystore entry of an organisation's X25519 encryption key (as `zizhu genesis create` names it). */
export const orgEncryptionKeyName = (org: string): string => `${org}/encryption`;

/** Where recipients' public keys come from: the system channel's organisations. */
export interface EncryptionKeyDirectory {
  /** The raw 32-byte X25519 key of an active organisation; undefined for an unknown or inactive one. */
  encryptionKey(org: string): Promise<Uint8Array | undefined>;
}

/** The organisations' keys as the system channel records them (cached a minute: keys change by governance, rarely). */
export function ledgerEncryptionKeys(ledger: Pick<LedgerService, 'organization'>, ttlMs = 60_000): EncryptionKeyDirectory {
  const cache = new TtlCache<Uint8Array | null>(ttlMs, 1000);
  return {
    async encryptionKey(org) {
      let key = cache.get(org);
      if (key === undefined) {
        const record = await ledger.organization(org);
        key = record && record.status === 'ACTIVE' ? Buffer.from(record.encryptionKey, 'base64') : null;
        cache.set(org, key);
      }
      return key ?? undefined;
    },
  };
}

/** What is decrypted, and why: the audit record's content. */
export interface DecryptionRequest {
  /** The object the field belongs to, e.g. `evidence:ev_123`. */
  object: string;
  field: string;
  purpose: string;
  module?: string;
  /** The additional authenticated data the JWE was made with (binds it to its object). */
  aad?: string;
}

/**
 * Field encryption for organisations (ARCHITECTURE §3): a value is encrypted as one JWE (general
 * JSON, ECDH-ES+A256KW over X25519, A256GCM) whose recipients are organisations (`kid` = org id),
 * and decrypted for a principal with its organisation's private key from the node keystore. Every
 * decryption asked for writes an audit record, opened or not, before anything is returned: no
 * plaintext leaves without its record. The caller checks first that the principal's role may read
 * the field; here the organisation must be a recipient, or FORBIDDEN.
 */
export class FieldEncryptionService {
  constructor(
    private readonly keys: EncryptionKeyDirectory,
    private readonly keystore: Pick<Keystore, 'has' | 'x25519PrivateKey'>,
    private readonly audit: AuditService,
  ) {}

  /** One JWE readable by each of `orgs` (deduplicated); BAD_USER_INPUT naming an unknown organisation. */
  async encryptFor(orgs: readonly string[], value: JwePlaintext, options: { aad?: string } = {}): Promise<GeneralJWE> {
    return encryptForRecipients(value, await this.recipientKeys(orgs), options.aad);
  }

  /**
   * The encryption keys of `orgs` (duplicates once each); BAD_USER_INPUT (NO_RECIPIENTS,
   * UNKNOWN_RECIPIENT) when there are none or one is not an active organisation. What encryptFor
   * checks, for callers that check a whole batch before sealing any of it, or seal elsewhere
   * (LedgerService.submitSealedAs).
   */
  async recipientKeys(orgs: readonly string[]): Promise<{ kid: string; publicKey: Uint8Array }[]> {
    const unique = [...new Set(orgs)];
    if (unique.length === 0) throw badInput('encrypted data needs at least one recipient organisation', 'NO_RECIPIENTS');
    return Promise.all(
      unique.map(async (org) => {
        const publicKey = await this.keys.encryptionKey(org);
        if (!publicKey) throw badInput(`${org} is not an active organisation of the consortium`, 'UNKNOWN_RECIPIENT');
        return { kid: org, publicKey };
      }),
    );
  }

  /** The plaintext bytes, for the principal's organisation; audited. */
  async decrypt(ctx: RequestContext, jwe: GeneralJWE, request: DecryptionRequest): Promise<Uint8Array> {
    const principal = requirePrincipal(ctx);
    const org = principal.org;
    let recipients: string[];
    try {
      recipients = jweRecipients(jwe);
    } catch {
      recipients = [];
    }
    const audit = (outcome: 'DECRYPTED' | 'DENIED' | 'FAILED', reason?: string) =>
      this.audit.recordDecryption(ctx, { object: request.object, field: request.field, purpose: request.purpose, outcome, reason, module: request.module, recipients });

    if (!recipients.includes(org)) {
      await audit('DENIED', 'NOT_A_RECIPIENT');
      throw forbidden(`${org} is not a recipient of ${request.field} of ${request.object}`, 'NOT_A_RECIPIENT');
    }
    const keyName = orgEncryptionKeyName(org);
    if (!this.keystore.has(keyName)) {
      await audit('DENIED', 'NO_DECRYPTION_KEY');
      throw forbidden(`this node holds no encryption key of ${org}`, 'NO_DECRYPTION_KEY');
    }
    const privateKey = this.keystore.x25519PrivateKey(keyName);
    let plaintext: Uint8Array;
    try {
      plaintext = await decryptAsRecipient(jwe, { kid: org, privateKey }, { aad: request.aad });
    } catch (e) {
      const reason = e instanceof JweError ? e.code : 'DECRYPTION_FAILED';
      await audit('FAILED', reason);
      // Stored ciphertext that does not open is the node's problem, not the caller's.
      throw new AppError('INTERNAL', `${request.field} of ${request.object} could not be decrypted`, reason);
    } finally {
      privateKey.fill(0);
    }
    await audit('DECRYPTED');
    return plaintext;
  }

  /** decrypt, then JSON.parse of the UTF-8 plaintext (what `encryptFor` made of a JSON value). */
  async decryptJson<T = unknown>(ctx: RequestContext, jwe: GeneralJWE, request: DecryptionRequest): Promise<T> {
    const bytes = await this.decrypt(ctx, jwe, request);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }
}
