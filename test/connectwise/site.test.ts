import {
  CLOUD_REGIONS,
  ConnectWiseError,
  describeNonPublicAddress,
  parseSite,
  resolveSiteOrigin,
  type HostLookup,
} from '../../connectwise';

const resolvesTo =
  (...addresses: string[]): HostLookup =>
  () =>
    Promise.resolve(addresses);

async function refusal(promise: Promise<unknown>): Promise<ConnectWiseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConnectWiseError) return err;
    throw err;
  }
  throw new Error('expected a ConnectWiseError');
}

describe('cloud regions', () => {
  it.each([
    ['na', 'https://api-na.myconnectwise.net'],
    ['eu', 'https://api-eu.myconnectwise.net'],
    ['au', 'https://api-au.myconnectwise.net'],
    ['aus', 'https://api-aus.myconnectwise.net'],
    ['za', 'https://api-za.myconnectwise.net'],
    ['staging', 'https://api-staging.connectwisedev.com'],
    [' NA ', 'https://api-na.myconnectwise.net'],
  ])('%s → %s', async (site, origin) => {
    expect(parseSite(site)).toBe(origin);
    // Cloud hosts are known public: no DNS lookup is made.
    const lookup = jest.fn<Promise<string[]>, [string]>();
    await expect(resolveSiteOrigin(site, { lookup })).resolves.toBe(origin);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('lists exactly the six regions', () => {
    expect(Object.keys(CLOUD_REGIONS).sort()).toEqual(['au', 'aus', 'eu', 'na', 'staging', 'za']);
  });

  it('maps a pasted web-UI host to its API host', () => {
    expect(parseSite('https://eu.myconnectwise.net/v4_6_release/ConnectWise.aspx')).toBe(
      'https://api-eu.myconnectwise.net',
    );
  });
});

describe('on-premise sites', () => {
  it('keeps only the origin of an https URL', async () => {
    await expect(
      resolveSiteOrigin('https://cw.example.com:8443/v4_6_release/apis/3.0?x=1#top', {
        lookup: resolvesTo('93.184.216.34'),
      }),
    ).resolves.toBe('https://cw.example.com:8443');
  });

  it('assumes https for a bare host name', () => {
    expect(parseSite('cw.example.com')).toBe('https://cw.example.com');
  });

  it('refuses plain http, naming the reason', () => {
    expect(() => parseSite('http://cw.example.com')).toThrow(/https:\/\/.*unencrypted/);
  });

  it('refuses other schemes', () => {
    expect(() => parseSite('ftp://cw.example.com')).toThrow(/must start with https/);
  });

  it('refuses credentials in the URL', () => {
    expect(() => parseSite('https://admin:secret@cw.example.com')).toThrow(/user name or password/);
    expect(() => parseSite('https://admin@cw.example.com')).toThrow(/user name or password/);
  });

  it('refuses an empty site and garbage', () => {
    expect(() => parseSite('  ')).toThrow(/cloud region or enter your server address/);
    expect(() => parseSite('https://exa mple.com')).toThrow(/not a valid web address/);
  });

  it.each([
    ['https://127.0.0.1', /loopback/],
    ['https://10.1.2.3', /private network/],
    ['https://192.168.0.10', /private network/],
    ['https://169.254.169.254', /link-local/],
    ['https://0.0.0.0', /unspecified/],
    ['https://224.0.0.1', /multicast/],
    ['https://[::1]', /loopback/],
    ['https://[fe80::1]', /link-local/],
    ['https://[fd00::1]', /private network/],
    ['https://[::ffff:127.0.0.1]', /loopback/],
  ])('refuses the IP literal %s', (site, why) => {
    let error: unknown;
    try {
      parseSite(site);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConnectWiseError);
    expect((error as ConnectWiseError).code).toBe('InvalidSite');
    expect((error as ConnectWiseError).kind).toBe('validation');
    expect((error as ConnectWiseError).message).toMatch(why);
  });

  it.each([
    ['10.0.0.5', /private network/],
    ['127.0.0.1', /loopback/],
    ['169.254.169.254', /link-local/],
    ['::', /unspecified/],
    ['ff02::1', /multicast/],
  ])('refuses a host that resolves to %s', async (address, why) => {
    const err = await refusal(
      resolveSiteOrigin('https://cw.evil.example', { lookup: resolvesTo(address) }),
    );
    expect(err.code).toBe('InvalidSite');
    expect(err.message).toMatch(why);
    expect(err.message).toContain('cw.evil.example');
  });

  it('refuses when any one of several addresses is private', async () => {
    const err = await refusal(
      resolveSiteOrigin('https://cw.example.com', {
        lookup: resolvesTo('93.184.216.34', '192.168.1.1'),
      }),
    );
    expect(err.message).toMatch(/192\.168\.1\.1.*private network/);
  });

  it('reports a DNS failure as a network error in words', async () => {
    const lookup: HostLookup = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const err = await refusal(resolveSiteOrigin('https://nowhere.example', { lookup }));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/could not be found/);
  });

  it('allows http and loopback only with allowPrivateHosts', async () => {
    await expect(
      resolveSiteOrigin('http://127.0.0.1:4010/x', { allowPrivateHosts: true }),
    ).resolves.toBe('http://127.0.0.1:4010');
    await expect(refusal(resolveSiteOrigin('http://127.0.0.1:4010'))).resolves.toMatchObject({
      code: 'InvalidSite',
    });
  });

  it('still refuses credentials with allowPrivateHosts', () => {
    expect(() => parseSite('http://u:p@127.0.0.1', { allowPrivateHosts: true })).toThrow(
      /user name or password/,
    );
  });
});

describe('describeNonPublicAddress', () => {
  it('accepts public unicast addresses', () => {
    expect(describeNonPublicAddress('8.8.8.8')).toBeUndefined();
    expect(describeNonPublicAddress('2606:4700::1111')).toBeUndefined();
  });

  it('refuses carrier-grade NAT and reserved ranges too', () => {
    expect(describeNonPublicAddress('100.64.0.1')).toMatch(/carrier-grade/);
    expect(describeNonPublicAddress('192.0.2.1')).toMatch(/reserved/);
  });
});
