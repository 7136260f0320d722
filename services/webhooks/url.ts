import {
  assertPublicAddresses,
  describeNonPublicAddress,
  dnsLookup,
  isIpLiteral,
  type HostLookup,
} from '../../connectwise/host-guard';

export interface WebhookUrlOptions {
  /**
   * CW_ALLOW_PRIVATE_HOSTS (local stacks and tests, never production): plain http and private or
   * loopback receivers are allowed, as they are for ConnectWise sites.
   */
  allowPrivateHosts: boolean;
  lookup?: HostLookup;
}

/** A receiver URL refused, and why in words. */
export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/**
 * The synchronous half of the check, also run before each delivery: an absolute https URL
 * (http only with private hosts allowed), no user name or password, no fragment, and an IP
 * literal only if it is public. Returns the URL as it will be called.
 */
export function parseWebhookUrl(raw: string, options: WebhookUrlOptions): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebhookUrlError('must be an absolute URL, such as https://portal.example.com/hooks');
  }
  const allowHttp = options.allowPrivateHosts && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !allowHttp)
    throw new WebhookUrlError(
      url.protocol === 'http:'
        ? 'must start with https://: plain http would send the events unencrypted'
        : `must start with https:// (got "${url.protocol}")`,
    );
  if (url.username !== '' || url.password !== '')
    throw new WebhookUrlError(
      'must not contain a user name or password; deliveries are signed with the subscription secret',
    );
  if (url.hash !== '') throw new WebhookUrlError('must not contain a #fragment');
  if (isIpLiteral(url.hostname) && !options.allowPrivateHosts) {
    const why = describeNonPublicAddress(url.hostname);
    if (why)
      throw new WebhookUrlError(
        `points to ${url.hostname}, ${why}; only receivers on the public internet are allowed`,
      );
  }
  return url;
}

/**
 * The SSRF rules of ConnectWise sites (connectwise/site.ts), for a receiver: parseWebhookUrl,
 * then a DNS lookup that refuses a name with any private, loopback, link-local or otherwise
 * non-public address. Each delivery checks the address again as it connects (DNS rebinding) and
 * follows no redirect (services/webhooks/deliver.ts).
 */
export async function checkWebhookUrl(raw: string, options: WebhookUrlOptions): Promise<string> {
  const url = parseWebhookUrl(raw, options);
  if (options.allowPrivateHosts || isIpLiteral(url.hostname)) return url.href;
  let addresses: string[];
  try {
    addresses = await (options.lookup ?? dnsLookup)(url.hostname);
  } catch {
    throw new WebhookUrlError(`the host ${url.hostname} could not be found (DNS lookup failed)`);
  }
  if (addresses.length === 0)
    throw new WebhookUrlError(`the host ${url.hostname} has no address in DNS`);
  try {
    assertPublicAddresses(url.hostname, addresses, 'The host');
  } catch (err) {
    throw new WebhookUrlError((err as Error).message.replace(/^The host /, 'the host '));
  }
  return url.href;
}
