import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Calls Cairn makes to addresses its users give (webhooks) must not reach the machine itself or
// the private network it runs in, unless the configuration allows those networks
// (CAIRN_OUTBOUND_ALLOWED_NETWORKS, e.g. 127.0.0.0/8 for the tests' receivers).

const REFUSED: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this" network
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata services
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'], // NAT64 maps to IPv4 addresses
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];

const refused = new BlockList();
for (const [network, prefix, type] of REFUSED) refused.addSubnet(network, prefix, type);

/** Parses `a.b.c.d/n` or `x::y/n` (a bare address is a /32 or /128); throws on anything else. */
export function parseNetwork(entry: string): {
  network: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
} {
  const [network, prefixText] = entry.trim().split('/');
  const version = isIP(network ?? '');
  if (version === 0) throw new Error(`${entry} is not an IP network`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || prefixText === '') {
    throw new Error(`${entry} has no valid prefix length`);
  }
  return { network, prefix, type: version === 4 ? 'ipv4' : 'ipv6' };
}

export class OutboundAddressPolicy {
  private readonly allowed = new BlockList();

  constructor(allowedNetworks: readonly string[] = []) {
    for (const entry of allowedNetworks) {
      const { network, prefix, type } = parseNetwork(entry);
      this.allowed.addSubnet(network, prefix, type);
    }
  }

  /** True for a public address, or a private one inside an allowed network. */
  permits(address: string): boolean {
    const version = isIP(address);
    if (version === 0) return false;
    const type = version === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, type)) return true;
    // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return this.permits(mapped);
    return !refused.check(address, type);
  }

  /**
   * A `lookup` for http(s).request that refuses a name resolving to a refused address, so the
   * address checked is the address connected to (a DNS answer cannot change in between).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refusedAddress = addresses.find((entry) => !this.permits(entry.address));
      if (refusedAddress) {
        return callback(new RefusedAddressError(hostname, refusedAddress.address), '', 0);
      }
      if (options.all) {
        return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      }
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };

  /**
   * Checks a URL a user gives: http(s), no credentials in it, and every address its host
   * resolves to permitted. Resolves the host now; deliveries check again as they connect.
   */
  async check(url: string): Promise<URL> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RefusedUrlError(`${url} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new RefusedUrlError('only http and https URLs are allowed');
    }
    if (parsed.username || parsed.password) {
      throw new RefusedUrlError('a URL must not carry a user name or password');
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host)
      ? [host]
      : await new Promise<string[]>((resolve, reject) =>
          dnsLookup(host, { all: true }, (error, found) =>
            error
              ? reject(
                  new RefusedUrlError(`${host} does not resolve (${error.code ?? error.message})`),
                )
              : resolve(found.map((entry) => entry.address)),
          ),
        );
    const refusedAddress = addresses.find((address) => !this.permits(address));
    if (refusedAddress !== undefined) throw new RefusedAddressError(host, refusedAddress);
    return parsed;
  }
}

export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

export class RefusedAddressError extends RefusedUrlError {
  constructor(host: string, address: string) {
    super(
      `${host} resolves to ${address}, a private, loopback or reserved address (allow its network with CAIRN_OUTBOUND_ALLOWED_NETWORKS)`,
    );
    this.name = 'RefusedAddressError';
  }
}
