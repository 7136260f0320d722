import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has; injectable so tests need no DNS. */
export type HostLookup = (hostname: string) => Promise<string[]>;

export const dnsLookup: HostLookup = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const RANGE_WORDS: Record<string, string> = {
  private: 'a private network address',
  uniqueLocal: 'a private network address',
  loopback: 'a loopback address (this machine)',
  linkLocal: 'a link-local address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  reserved: 'a reserved address',
};

/**
 * Says why an address is not a public unicast one, in words, or returns undefined when it is.
 * Everything but ipaddr.js's `unicast` is refused: an allow-list survives new special ranges.
 */
export function describeNonPublicAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return 'not a valid IP address';
  const range = ipaddr.process(bare).range();
  if (range === 'unicast') return undefined;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

export function isIpLiteral(hostname: string): boolean {
  return ipaddr.isValid(hostname.replace(/^\[|\]$/g, ''));
}

/** `code` of the error the connection guard raises; transport turns it into InvalidSite. */
export const NON_PUBLIC_ADDRESS = 'ERR_CW_NON_PUBLIC_ADDRESS';

// A plain Error with a code, not a subclass: fetch keeps a cause only if it looks like an Error,
// and it checks that by constructor name when the error comes from another realm (jest's vm).
function nonPublicAddressError(message: string): Error {
  return Object.assign(new Error(message), { code: NON_PUBLIC_ADDRESS });
}

/**
 * Refuses the first non-public address among those a host name resolved to. `subject` names the
 * host in the message: a ConnectWise server unless said otherwise (a webhook receiver).
 */
export function assertPublicAddresses(
  hostname: string,
  addresses: readonly string[],
  subject = 'The ConnectWise server',
): void {
  for (const address of addresses) {
    const why = describeNonPublicAddress(address);
    if (why) {
      throw nonPublicAddressError(
        `${subject} ${hostname} points to ${address}, ${why}; only servers on the public internet are allowed.`,
      );
    }
  }
}
