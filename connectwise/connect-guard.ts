import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { assertPublicAddresses, dnsLookup, type HostLookup } from './host-guard';
import type { FetchLike } from './transport';

function wantedFamily(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/**
 * A `net.connect` lookup that resolves with `lookup` and refuses the connection when any answer
 * is not a public address. The site check when a client is created cannot stop DNS rebinding (the
 * name answering a public address then, a private one at connect time); this check sits on the
 * address the socket is about to use. IP literals never reach it: parseSite checks those.
 */
export function guardedLookup(
  lookup: HostLookup = dnsLookup,
  /** Names the host in a refusal (assertPublicAddresses); a ConnectWise server by default. */
  subject?: string,
): LookupFunction {
  return (hostname, options, callback) => {
    const answer = async (): Promise<LookupAddress[]> => {
      const addresses = await lookup(hostname);
      assertPublicAddresses(hostname, addresses, subject);
      const family = wantedFamily(options.family);
      const usable = addresses
        .map((address) => ({ address, family: isIP(address) }))
        .filter((a) => a.family !== 0 && (family === 0 || a.family === family));
      if (usable.length === 0) {
        throw Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND' });
      }
      return usable;
    };
    answer().then(
      (usable) => {
        const first = usable[0] as LookupAddress;
        if (options.all === true) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** An undici dispatcher whose every new connection goes through guardedLookup. */
export function guardedAgent(lookup?: HostLookup, subject?: string): Agent {
  return new Agent({ connect: { lookup: guardedLookup(lookup, subject) } });
}

let sharedAgent: Agent | undefined;

/**
 * The `undici` package's own fetch. Node's built-in fetch runs the undici copy bundled with Node;
 * given an Agent from the npm package of another major version it fails every request (their
 * dispatcher interfaces differ), so the guarded Agent is only ever handed to this fetch.
 */
export const undiciFetchImpl: FetchLike = undiciFetch;

/**
 * Fetch with every request sent through a guarded dispatcher: `undici`'s fetch unless a test
 * injects `fetchImpl`, which then receives the dispatcher in its init. Clients using the system
 * resolver share one agent (and its connection pool); an injected lookup gets its own.
 */
export function guardedFetch(fetchImpl?: FetchLike, lookup?: HostLookup): FetchLike {
  const dispatcher = lookup === undefined ? (sharedAgent ??= guardedAgent()) : guardedAgent(lookup);
  const base = fetchImpl ?? undiciFetchImpl;
  return (input, init) => base(input, { ...init, dispatcher });
}
