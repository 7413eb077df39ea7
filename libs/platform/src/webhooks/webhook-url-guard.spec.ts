import { describe, it, expect } from '@jest/globals';
import { WebhookTargetRefused, isNonPublicAddress, parseWebhookUrl, resolveWebhookTarget, type AddressLookup, type WebhookUrlPolicy } from './webhook-url-guard.js';

const strict: WebhookUrlPolicy = { allowHttp: false, allowedHosts: [] };
const resolvesTo = (...addresses: string[]): AddressLookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const reasonOf = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
    return undefined;
  } catch (e) {
    if (e instanceof WebhookTargetRefused) return e.reason;
    throw e;
  }
};

describe('webhook URL guard (server-side request forgery)', () => {
  it('refuses non-public addresses: loopback, RFC 1918, link-local and cloud metadata, CGNAT, 0.0.0.0, multicast, ::1, unique-local, IPv4-mapped', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.127.255.254', '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:a00:1', '64:ff9b::a00:1']) {
      expect({ a, refused: isNonPublicAddress(a) }).toEqual({ a, refused: true });
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect({ a, refused: isNonPublicAddress(a) }).toEqual({ a, refused: false });
    }
  });

  it('takes https only (http when the policy allows it), never credentials, another scheme or a fragment', async () => {
    expect(parseWebhookUrl('https://hooks.example/x?token=1', strict).href).toBe('https://hooks.example/x?token=1');
    expect(await reasonOf(() => parseWebhookUrl('http://hooks.example/x', strict))).toBe('URL_SCHEME_NOT_ALLOWED');
    expect(parseWebhookUrl('http://hooks.example/x', { ...strict, allowHttp: true }).protocol).toBe('http:');
    for (const [url, reason] of [
      ['ftp://hooks.example/x', 'URL_SCHEME_NOT_ALLOWED'],
      ['file:///etc/passwd', 'URL_SCHEME_NOT_ALLOWED'],
      ['gopher://hooks.example/x', 'URL_SCHEME_NOT_ALLOWED'],
      ['https://user:pass@hooks.example/x', 'URL_HAS_CREDENTIALS'],
      ['https://user@hooks.example/x', 'URL_HAS_CREDENTIALS'],
      ['https://hooks.example/x#frag', 'INVALID_URL'],
      ['not a url', 'INVALID_URL'],
      [`https://hooks.example/${'x'.repeat(2048)}`, 'INVALID_URL'],
    ] as const) {
      expect({ url: url.slice(0, 40), reason: await reasonOf(() => parseWebhookUrl(url, { ...strict, allowHttp: true })) }).toEqual({ url: url.slice(0, 40), reason });
    }
  });

  it('refuses a host that is, or resolves (even once among several addresses) to, a non-public address; localhost by name', async () => {
    const target = (url: string, lookup: AddressLookup, policy = strict) => resolveWebhookTarget(new URL(url), policy, lookup);
    expect(await target('https://hooks.example/x', resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'))).toEqual({ address: '93.184.215.14', family: 4 });
    expect(await reasonOf(() => target('https://hooks.example/x', resolvesTo('93.184.215.14', '10.0.0.7')))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://metadata.example/x', resolvesTo('169.254.169.254')))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://127.0.0.1/x', resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://[::1]/x', resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://[::ffff:7f00:1]/x', resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://0x7f.1/x', resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://2130706433/x', resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://localhost/x', resolvesTo('93.184.215.14')))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://api.localhost/x', resolvesTo('93.184.215.14')))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => target('https://nowhere.example/x', resolvesTo()))).toBe('HOST_UNRESOLVABLE');
    expect(await reasonOf(() => target('https://nowhere.example/x', async () => Promise.reject(new Error('ENOTFOUND'))))).toBe('HOST_UNRESOLVABLE');
  });

  it('lets WEBHOOK_ALLOWED_HOSTS name a host exempt from the address check, and only that host', async () => {
    const policy = { allowHttp: true, allowedHosts: ['127.0.0.1', 'receiver.internal', '::1'] };
    expect(await resolveWebhookTarget(new URL('http://127.0.0.1:8080/x'), policy, resolvesTo())).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await resolveWebhookTarget(new URL('http://[::1]:8080/x'), policy, resolvesTo())).toEqual({ address: '::1', family: 6 });
    expect(await resolveWebhookTarget(new URL('https://receiver.internal/x'), policy, resolvesTo('10.0.0.9'))).toEqual({ address: '10.0.0.9', family: 4 });
    expect(await reasonOf(() => resolveWebhookTarget(new URL('http://127.0.0.2/x'), policy, resolvesTo()))).toBe('HOST_NOT_ALLOWED');
    expect(await reasonOf(() => resolveWebhookTarget(new URL('https://other.internal/x'), policy, resolvesTo('10.0.0.9')))).toBe('HOST_NOT_ALLOWED');
  });
});
