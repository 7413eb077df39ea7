import { describe, it, expect } from '@jest/globals';
import { loadConfig } from '../config/config.js';
import { WebhookSecretKeyError, WebhookSecretKeyring } from './webhook-secret-keyring.js';

const k1 = 'k1:' + '11'.repeat(32);
const k2 = 'k2:' + '22'.repeat(32);

describe('webhook secret keyring (AES-256-GCM, endpoint id as associated data)', () => {
  it('seals so that only the same endpoint opens it, under the first key; never the secret in clear', () => {
    const ring = WebhookSecretKeyring.fromConfig(loadConfig({ WEBHOOK_SECRET_KEYS: k1 }));
    const sealed = ring.seal('we_0000000000000001', 'whsec_abc');
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('whsec_abc');
    expect(ring.seal('we_0000000000000001', 'whsec_abc')).not.toBe(sealed);
    expect(ring.open('we_0000000000000001', sealed)).toBe('whsec_abc');
    expect(() => ring.open('we_0000000000000002', sealed)).toThrow(WebhookSecretKeyError);
    const [v, kid, iv, ct, tag] = sealed.split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    expect(() => ring.open('we_0000000000000001', [v, kid, iv, flipped.toString('base64url'), tag].join('.'))).toThrow(/does not open/);
    expect(() => ring.open('we_0000000000000001', 'whsec_abc')).toThrow(/not sealed/);
  });

  it('rotates: a new key first seals, the old one still opens and is stale; a removed key is named', () => {
    const old = WebhookSecretKeyring.fromConfig(loadConfig({ WEBHOOK_SECRET_KEYS: k1 }));
    const sealed = old.seal('we_0000000000000001', 'whsec_abc');
    const rotated = WebhookSecretKeyring.fromConfig(loadConfig({ WEBHOOK_SECRET_KEYS: `${k2},${k1}` }));
    expect(rotated.open('we_0000000000000001', sealed)).toBe('whsec_abc');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('we_0000000000000001', 'whsec_abc'))).toBe(false);
    const withoutK1 = WebhookSecretKeyring.fromConfig(loadConfig({ WEBHOOK_SECRET_KEYS: k2 }));
    expect(() => withoutK1.open('we_0000000000000001', sealed)).toThrow(/key k1, which WEBHOOK_SECRET_KEYS no longer holds/);
  });

  it('derives a key from the keystore passphrase (id ks) that keeps opening once WEBHOOK_SECRET_KEYS is set; development without one derives from CONSORTIUM_ID', () => {
    const passphrase = 'a long enough passphrase';
    const derived = WebhookSecretKeyring.fromConfig(loadConfig({ ZIZHU_KEYSTORE_PASSPHRASE: passphrase }));
    const sealed = derived.seal('we_0000000000000001', 'whsec_abc');
    expect(sealed.split('.')[1]).toBe('ks');
    const configured = WebhookSecretKeyring.fromConfig(loadConfig({ ZIZHU_KEYSTORE_PASSPHRASE: passphrase, WEBHOOK_SECRET_KEYS: k1 }));
    expect(configured.open('we_0000000000000001', sealed)).toBe('whsec_abc');
    expect(configured.seal('we_0000000000000001', 'x').split('.')[1]).toBe('k1');
    expect(() => WebhookSecretKeyring.fromConfig(loadConfig({ ZIZHU_KEYSTORE_PASSPHRASE: 'another passphrase!' })).open('we_0000000000000001', sealed)).toThrow(WebhookSecretKeyError);
    expect(WebhookSecretKeyring.fromConfig(loadConfig({})).seal('we_0000000000000001', 'x').split('.')[1]).toBe('dev');
  });

  it('refuses malformed WEBHOOK_SECRET_KEYS at boot without printing them', () => {
    for (const bad of ['k1:abc', 'K1:' + '11'.repeat(32), `${k1},${k1.replace('11', '33')}`, 'k1' + '11'.repeat(32)]) {
      expect(() => loadConfig({ WEBHOOK_SECRET_KEYS: bad })).toThrow(/WEBHOOK_SECRET_KEYS is invalid/);
      try {
        loadConfig({ WEBHOOK_SECRET_KEYS: bad });
      } catch (e) {
        expect((e as Error).message).not.toContain('1111');
      }
    }
    expect(() => loadConfig({ NODE_ENV: 'production', ZIZHU_KEYSTORE_PASSPHRASE: 'a long enough passphrase', WEBHOOK_ALLOW_HTTP: 'true' })).toThrow(/WEBHOOK_ALLOW_HTTP must not be true in production/);
  });
});
