import * as cw from '../../connectwise';

interface Call {
  url: URL;
  init: RequestInit;
}

/** A client whose fetch records each request and answers `body`. */
async function recording(
  body: unknown = [],
): Promise<{ client: cw.ConnectWiseClient; calls: Call[] }> {
  const calls: Call[] = [];
  const fetchImpl = ((input: string, init: RequestInit) => {
    calls.push({ url: new URL(input), init });
    return Promise.resolve(Response.json(body));
  }) as typeof fetch;
  const client = await cw.createConnectWiseClient({
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    privateKey: 'priv',
    clientId: '',
    codebase: 'v2025_1/',
    fetch: fetchImpl,
  });
  return { client, calls };
}

describe('lookups by engine keys', () => {
  const lookups: Array<[string, (c: cw.ConnectWiseClient, key: string) => Promise<unknown>]> = [
    ['externalXRef', (c, key) => cw.findTicketsByExternalXRef(c, key)],
    ['identifier', (c, key) => cw.findCatalogItemsByIdentifier(c, key)],
    ['integrationXRef', (c, key) => cw.findCatalogItemsByIntegrationXRef(c, key)],
    ['description', (c, key) => cw.listHostedSetups(c, { description: key })],
  ];

  it.each(lookups)('%s: sends a valid key as an exact match', async (field, lookup) => {
    const { client, calls } = await recording();
    await lookup(client, 'dfx:evt:ab-12_C.d 9');
    expect(calls[0]?.url.searchParams.get('conditions')).toBe(`${field}="dfx:evt:ab-12_C.d 9"`);
  });

  it.each(lookups)('%s: refuses anything outside the key alphabet', async (_field, lookup) => {
    const { client, calls } = await recording();
    for (const bad of ['', 'x'.repeat(101), 'a"b', 'a\\b', 'a%', 'a\u2028b', 'é', 'a\nb']) {
      await expect(lookup(client, bad)).rejects.toMatchObject({
        code: 'InvalidRequest',
        kind: 'validation',
      });
    }
    expect(calls).toEqual([]);
  });

  it('keeps escaping, not refusing, free text in a company search', async () => {
    const { client, calls } = await recording();
    await cw.searchCompanies(client, { name: 'O"Brien\\ 50%' });
    expect(calls[0]?.url.searchParams.get('conditions')).toBe(
      'deletedFlag=false and (name like "%O\\"Brien\\\\ 50[%]%" or identifier like "%O\\"Brien\\\\ 50[%]%")',
    );
  });
});

describe('addition patches', () => {
  const sent = (call: Call | undefined) => JSON.parse(call?.init.body as string) as unknown;

  it('sends a Date as yyyy-MM-ddTHH:mm:ssZ, without milliseconds', async () => {
    const { client, calls } = await recording({ id: 9, product: {}, billCustomer: 'Billable' });
    await cw.patchAddition(client, 3, 9, [
      cw.replace('cancelledDate', new Date('2025-11-30T23:59:59.999Z')),
      cw.replace('quantity', 24),
    ]);
    expect(sent(calls[0])).toEqual([
      { op: 'replace', path: 'cancelledDate', value: '2025-11-30T23:59:59Z' },
      { op: 'replace', path: 'quantity', value: 24 },
    ]);
  });

  it('clears cancelledDate with null', async () => {
    const { client, calls } = await recording({ id: 9, product: {}, billCustomer: 'Billable' });
    await cw.patchAddition(client, 3, 9, [cw.replace('cancelledDate', null)]);
    expect(sent(calls[0])).toEqual([{ op: 'replace', path: 'cancelledDate', value: null }]);
  });

  it('refuses a date string with milliseconds and other wrong values before sending', async () => {
    const { client, calls } = await recording();
    const bad: cw.AdditionPatch[][] = [
      [cw.replace('cancelledDate', new Date('2025-11-30T00:00:00.123Z').toISOString())],
      [cw.replace('cancelledDate', '2025-11-30')],
      [cw.replace('cancelledDate', new Date('nope'))],
      [cw.replace('quantity', -1)],
      [{ op: 'replace', path: 'lessIncluded', value: 1 } as never],
    ];
    for (const operations of bad) {
      await expect(cw.patchAddition(client, 3, 9, operations)).rejects.toMatchObject({
        code: 'InvalidRequest',
      });
    }
    expect(calls).toEqual([]);
  });

  it('types each field with its value', () => {
    // @ts-expect-error quantity takes a number
    const wrong: cw.AdditionPatch = cw.replace('quantity', '24');
    // @ts-expect-error the MSP owns lessIncluded
    const foreign: cw.AdditionPatch = cw.replace('lessIncluded', 1);
    expect([wrong, foreign]).toHaveLength(2);
  });
});
