import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { ZizhuConfig } from '../config/config.schema.js';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** What an organisation's webhook URL may be (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWED_HOSTS). */
export interface WebhookUrlPolicy {
  /** http:// too (development and tests); otherwise https:// only. */
  allowHttp: boolean;
  /** Host names or IP addresses (lowercase, IPv6 without brackets) exempt from the address check. */
  allowedHosts: readonly string[];
}

export const webhookUrlPolicy = (config: Pick<ZizhuConfig, 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOWED_HOSTS'>): WebhookUrlPolicy => ({
  allowHttp: config.WEBHOOK_ALLOW_HTTP,
  allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
});

/** A webhook URL or address the policy refuses; `reason` is the GraphQL error's `extensions.reason`. */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
  constructor(
    readonly reason: 'INVALID_URL' | 'URL_SCHEME_NOT_ALLOWED' | 'URL_HAS_CREDENTIALS' | 'HOST_NOT_ALLOWED' | 'HOST_UNRESOLVABLE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Addresses a webhook must not reach (server-side request forgery): the node's own host and
 * network, cloud metadata (169.254.169.254) and anything not globally routable. IPv4-mapped IPv6
 * addresses match the IPv4 ranges (BlockList compares them so).
 */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: would reach whatever IPv4 address it embeds
  ['64:ff9b:1::', 48],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is loopback, private, link-local, CGNAT, unique-local, multicast or otherwise not public. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `url.hostname` without IPv6 brackets, lowercase. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** An absolute https (or, when allowed, http) URL without credentials or fragment; its host is not checked here. */
export function parseWebhookUrl(text: string, policy: WebhookUrlPolicy): URL {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) throw new WebhookTargetRefused('INVALID_URL', `url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookTargetRefused('INVALID_URL', 'url must be an absolute https URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new WebhookTargetRefused('URL_SCHEME_NOT_ALLOWED', policy.allowHttp ? 'url must be an http or https URL' : 'url must be an https URL (http is allowed only by WEBHOOK_ALLOW_HTTP, for development)');
  }
  if (url.username || url.password) throw new WebhookTargetRefused('URL_HAS_CREDENTIALS', 'url must not carry a user name or password (put a token in its path or query)');
  if (url.hash) throw new WebhookTargetRefused('INVALID_URL', 'url must not have a #fragment');
  return url;
}

export type AddressLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The address to connect to, checked: resolved once, every address public unless the host is allowed. */
export interface WebhookTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host once and checks every address it resolves to (one private address among
 * public ones refuses it: a later connection could pick it). The caller connects to the returned
 * address and no other, so a DNS answer that changes in between (rebinding) is never used.
 */
export async function resolveWebhookTarget(url: URL, policy: WebhookUrlPolicy, lookup: AddressLookup = systemLookup): Promise<WebhookTarget> {
  const host = hostOf(url);
  const allowed = policy.allowedHosts.includes(host);
  if (!allowed && (host === 'localhost' || host.endsWith('.localhost'))) throw new WebhookTargetRefused('HOST_NOT_ALLOWED', `url host ${host} is this machine`);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) throw new WebhookTargetRefused('HOST_UNRESOLVABLE', `url host ${host} does not resolve`);
  }
  if (!allowed) {
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad) {
      throw new WebhookTargetRefused(
        'HOST_NOT_ALLOWED',
        `url host ${host} ${bad.address === host ? 'is' : `resolves to ${bad.address}, which is`} not a public address (loopback, private, link-local, shared or multicast); an operator may allow it with WEBHOOK_ALLOWED_HOSTS`,
      );
    }
  }
  const [first] = addresses;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
