import { ClientErrorCode, ConnectWiseError } from './errors';
import {
  assertPublicAddresses,
  describeNonPublicAddress,
  dnsLookup,
  isIpLiteral,
  type HostLookup,
} from './host-guard';

/** ConnectWise cloud regions and their API origins (docs/connectwise.md §1). */
export const CLOUD_REGIONS = {
  na: 'https://api-na.myconnectwise.net',
  eu: 'https://api-eu.myconnectwise.net',
  au: 'https://api-au.myconnectwise.net',
  aus: 'https://api-aus.myconnectwise.net',
  za: 'https://api-za.myconnectwise.net',
  staging: 'https://api-staging.connectwisedev.com',
} as const;

export type CloudRegion = keyof typeof CLOUD_REGIONS;

export function isCloudRegion(site: string): site is CloudRegion {
  return Object.prototype.hasOwnProperty.call(CLOUD_REGIONS, site);
}

// People paste the browser address of the web UI; it answers HTML, so send them to the API host.
const UI_HOST_TO_REGION: Record<string, CloudRegion> = {
  'na.myconnectwise.net': 'na',
  'eu.myconnectwise.net': 'eu',
  'au.myconnectwise.net': 'au',
  'aus.myconnectwise.net': 'aus',
  'za.myconnectwise.net': 'za',
};

export interface SiteOptions {
  /** Allow http and private/loopback hosts: only for the simulator (CW_ALLOW_PRIVATE_HOSTS). */
  allowPrivateHosts?: boolean;
  lookup?: HostLookup;
}

function siteError(message: string): ConnectWiseError {
  return new ConnectWiseError({ status: 0, code: ClientErrorCode.InvalidSite, message });
}

/**
 * The synchronous half of site resolution: region names, URL syntax, scheme, embedded credentials
 * and IP literals. Returns the API origin (scheme://host[:port], no path).
 */
export function parseSite(site: string, options: SiteOptions = {}): string {
  const input = site.trim();
  const region = input.toLowerCase();
  if (isCloudRegion(region)) return CLOUD_REGIONS[region];
  if (input === '')
    throw siteError('Choose a ConnectWise cloud region or enter your server address.');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw siteError(`"${input}" is not a valid web address for a ConnectWise server.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw siteError(
      'The ConnectWise server address must not contain a user name or password; enter the API keys in their own fields.',
    );
  }
  const allowHttp = options.allowPrivateHosts === true && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !allowHttp) {
    throw siteError(
      url.protocol === 'http:'
        ? 'The ConnectWise server address must start with https://: plain http would send the API keys unencrypted.'
        : `The ConnectWise server address must start with https:// (got "${url.protocol}").`,
    );
  }
  const uiRegion = UI_HOST_TO_REGION[url.hostname];
  if (uiRegion) return CLOUD_REGIONS[uiRegion];
  if (isIpLiteral(url.hostname) && options.allowPrivateHosts !== true) {
    const why = describeNonPublicAddress(url.hostname);
    if (why)
      throw siteError(
        `The ConnectWise server address ${url.hostname} is ${why}; only servers on the public internet are allowed.`,
      );
  }
  return url.origin;
}

/**
 * Full resolution: parseSite, then (for on-premise hosts) a DNS lookup that refuses names pointing
 * at private, loopback, link-local, unspecified or multicast addresses. It runs when a client is
 * created, for a clear early error; the client's connections repeat it on every new connection
 * (connect-guard.ts), so a DNS answer that changes afterwards is caught too.
 */
export async function resolveSiteOrigin(site: string, options: SiteOptions = {}): Promise<string> {
  const origin = parseSite(site, options);
  if (
    options.allowPrivateHosts === true ||
    Object.values(CLOUD_REGIONS).includes(origin as never)
  ) {
    return origin;
  }
  const hostname = new URL(origin).hostname;
  if (isIpLiteral(hostname)) return origin;
  let addresses: string[];
  try {
    addresses = await (options.lookup ?? dnsLookup)(hostname);
  } catch (cause) {
    throw new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.Network,
      message: `The ConnectWise server ${hostname} could not be found (DNS lookup failed). Check the address.`,
      cause,
    });
  }
  if (addresses.length === 0) {
    throw new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.Network,
      message: `The ConnectWise server ${hostname} has no address in DNS. Check the address.`,
    });
  }
  try {
    assertPublicAddresses(hostname, addresses);
  } catch (err) {
    throw siteError((err as Error).message);
  }
  return origin;
}
