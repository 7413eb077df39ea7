import { hkdfSync } from 'node:crypto';
import type { SqlClient } from '@zizhu/chain';
import { aes256GcmDecrypt, aes256GcmEncrypt, sha256 } from '@zizhu/crypto';
import type { ZizhuConfig } from '../config/config.schema.js';

/** `v1.<key id>.<iv>.<ciphertext>.<tag>`, base64url: what webhook_endpoints holds instead of a secret. */
const SEALED_PATTERN = /^v1\.([a-z0-9][a-z0-9-]{0,15})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/;

export class WebhookSecretKeyError extends Error {
  override readonly name = 'WebhookSecretKeyError';
}

/**
 * The keys sealing webhook endpoints' signing secrets at rest (AES-256-GCM, the endpoint id as
 * associated data, so a sealed secret copied onto another endpoint does not open). The first key
 * seals; every key opens what names it, so an operator rotates by putting a new key first,
 * letting the clean-up job re-seal (resealWebhookSecrets), then removing the old one.
 */
export class WebhookSecretKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: string;

  constructor(keys: readonly { id: string; key: Uint8Array }[]) {
    if (keys.length === 0) throw new WebhookSecretKeyError('a webhook secret keyring needs at least one key');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new WebhookSecretKeyError(`webhook secret key ${id} must be 32 bytes`);
      if (!map.has(id)) map.set(id, Buffer.from(key));
    }
    this.keys = map;
    this.current = keys[0].id;
  }

  /**
   * WEBHOOK_SECRET_KEYS first, then the key derived from ZIZHU_KEYSTORE_PASSPHRASE (id `ks`), which
   * seals when no key is configured and keeps opening what it sealed once one is; without a
   * passphrase outside production, a development key derived from CONSORTIUM_ID (id `dev`).
   */
  static fromConfig(config: Pick<ZizhuConfig, 'WEBHOOK_SECRET_KEYS' | 'ZIZHU_KEYSTORE_PASSPHRASE' | 'NODE_ENV' | 'CONSORTIUM_ID'>): WebhookSecretKeyring {
    const keys: { id: string; key: Uint8Array }[] = config.WEBHOOK_SECRET_KEYS.map((entry) => {
      const [id, hex] = entry.split(':');
      return { id, key: Buffer.from(hex, 'hex') };
    });
    if (config.ZIZHU_KEYSTORE_PASSPHRASE) {
      keys.push({ id: 'ks', key: Buffer.from(hkdfSync('sha256', config.ZIZHU_KEYSTORE_PASSPHRASE, 'zizhu', 'webhook-secrets', 32)) });
    } else if (config.NODE_ENV !== 'production') {
      keys.push({ id: 'dev', key: sha256(`zizhu:webhook-secrets:development-key\n${config.CONSORTIUM_ID}`) });
    }
    if (keys.length === 0) throw new WebhookSecretKeyError('no key seals webhook secrets: set WEBHOOK_SECRET_KEYS or ZIZHU_KEYSTORE_PASSPHRASE');
    return new WebhookSecretKeyring(keys);
  }

  /** Seals `secret` of endpoint `endpointId` under the current key. */
  seal(endpointId: string, secret: string): string {
    const { iv, ciphertext, tag } = aes256GcmEncrypt(this.keys.get(this.current)!, Buffer.from(secret, 'utf8'), Buffer.from(endpointId, 'utf8'));
    return ['v1', this.current, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
  }

  /** Opens what seal() made for the same endpoint; throws WebhookSecretKeyError otherwise (unknown key, another endpoint, tampered). */
  open(endpointId: string, sealed: string): string {
    const m = SEALED_PATTERN.exec(sealed);
    if (!m) throw new WebhookSecretKeyError(`the secret of webhook endpoint ${endpointId} is not sealed`);
    const key = this.keys.get(m[1]);
    if (!key) throw new WebhookSecretKeyError(`the secret of webhook endpoint ${endpointId} is sealed under key ${m[1]}, which WEBHOOK_SECRET_KEYS no longer holds`);
    try {
      const sealedParts = { iv: Buffer.from(m[2], 'base64url'), ciphertext: Buffer.from(m[3], 'base64url'), tag: Buffer.from(m[4], 'base64url') };
      return aes256GcmDecrypt(key, sealedParts, Buffer.from(endpointId, 'utf8')).toString('utf8');
    } catch {
      throw new WebhookSecretKeyError(`the secret of webhook endpoint ${endpointId} does not open under key ${m[1]}`);
    }
  }

  /** True when `sealed` names another key than the current one (re-seal it). */
  isStale(sealed: string): boolean {
    return SEALED_PATTERN.exec(sealed)?.[1] !== this.current;
  }
}

/**
 * Re-seals under the keyring's current key every endpoint secret sealed under another one (after
 * an operator put a new key first in WEBHOOK_SECRET_KEYS). Each row is updated only if unchanged
 * meanwhile. Secrets no key of the keyring opens are left as they are and counted.
 */
export async function resealWebhookSecrets(sql: SqlClient, keyring: WebhookSecretKeyring): Promise<{ resealed: number; unopenable: number }> {
  const { rows } = await sql.query<{ id: string; secret_sealed: string; previous_secret_sealed: string | null }>('SELECT id, secret_sealed, previous_secret_sealed FROM webhook_endpoints ORDER BY id');
  let resealed = 0;
  let unopenable = 0;
  for (const row of rows) {
    if (!keyring.isStale(row.secret_sealed) && (row.previous_secret_sealed === null || !keyring.isStale(row.previous_secret_sealed))) continue;
    let current: string;
    let previous: string | null;
    try {
      current = keyring.seal(row.id, keyring.open(row.id, row.secret_sealed));
      previous = row.previous_secret_sealed === null ? null : keyring.seal(row.id, keyring.open(row.id, row.previous_secret_sealed));
    } catch (e) {
      if (!(e instanceof WebhookSecretKeyError)) throw e;
      unopenable++;
      continue;
    }
    const { rowCount } = await sql.query(
      'UPDATE webhook_endpoints SET secret_sealed = $2, previous_secret_sealed = $3 WHERE id = $1 AND secret_sealed = $4 AND previous_secret_sealed IS NOT DISTINCT FROM $5',
      [row.id, current, previous, row.secret_sealed, row.previous_secret_sealed],
    );
    resealed += rowCount ?? 0;
  }
  return { resealed, unopenable };
}
