import { inspect } from 'node:util';
import { z } from 'zod';
import {
  cond,
  ConnectWiseError,
  createConnectWiseClient,
  type ConnectWiseClient,
} from '../../connectwise';

const ORIGIN = 'https://api-na.myconnectwise.net';
const row = z.looseObject({ id: z.number() });

interface Call {
  url: URL;
  init: RequestInit;
}

/** A scripted ConnectWise: `answer` sees each request and returns its response. */
async function scripted(
  answer: (url: URL, calls: Call[]) => Response,
  extra: Partial<Parameters<typeof createConnectWiseClient>[0]> = {},
): Promise<{ client: ConnectWiseClient; calls: Call[] }> {
  const calls: Call[] = [];
  const fetchImpl = ((input: string, init: RequestInit) => {
    const url = new URL(input);
    calls.push({ url, init });
    // Ends a runaway paging loop with a failure instead of hanging the test run.
    if (calls.length > 50) return Promise.reject(new Error('more than 50 requests'));
    return Promise.resolve(answer(url, calls));
  }) as typeof fetch;
  const client = await createConnectWiseClient({
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    privateKey: 'priv-secret',
    clientId: 'guid',
    codebase: 'v2025_1/',
    fetch: fetchImpl,
    ...extra,
  });
  return { client, calls };
}

const rows = (from: number, count: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(Array.from({ length: count }, (_, i) => ({ id: from + i }))), {
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('requests', () => {
  it('sends the auth, clientId, Accept and Content-Type headers', async () => {
    const { client, calls } = await scripted(() => Response.json({ id: 5 }));
    await client.patch('/service/tickets/5', row, [
      { op: 'replace', path: 'status', value: { id: 2 } },
    ]);
    const call = calls[0] as Call;
    expect(call.url.href).toBe(`${ORIGIN}/v2025_1/apis/3.0/service/tickets/5`);
    expect(call.init.method).toBe('PATCH');
    expect(call.init.redirect).toBe('manual');
    expect(call.init.headers).toEqual({
      Authorization: `Basic ${Buffer.from('acme+pub:priv-secret').toString('base64')}`,
      clientId: 'guid',
      Accept: 'application/vnd.connectwise.com+json; version=2025.8',
      'Content-Type': 'application/json',
    });
    expect(call.init.body).toBe('[{"op":"replace","path":"status","value":{"id":2}}]');
  });

  it('pins a configurable API version and writes dates without milliseconds', async () => {
    const { client, calls } = await scripted(() => Response.json({ id: 1 }, { status: 201 }), {
      apiVersion: '2024.1',
    });
    await client.create('/finance/agreements/3/additions', row, {
      effectiveDate: new Date('2025-11-01T00:00:00.123Z'),
    });
    expect((calls[0]?.init.headers as Record<string, string>).Accept).toMatch(/version=2024\.1$/);
    expect(calls[0]?.init.body).toBe('{"effectiveDate":"2025-11-01T00:00:00Z"}');
  });

  it('keeps credentials out of inspect and JSON output', async () => {
    const { client } = await scripted(() => Response.json({}));
    expect(inspect(client, { depth: 5 })).not.toContain('priv-secret');
    expect(JSON.stringify(client)).not.toContain('priv-secret');
  });

  it('refuses ids, paths and patches that could steer the request', async () => {
    const { client, calls } = await scripted(() => Response.json({}));
    await expect(client.get('/service/tickets/../x', row)).rejects.toMatchObject({
      code: 'InvalidRequest',
    });
    await expect(client.get('/service/tickets?x=1', row)).rejects.toMatchObject({
      code: 'InvalidRequest',
    });
    await expect(client.patch('/service/tickets/1', row, [])).rejects.toThrow(
      /at least one operation/,
    );
    await expect(
      client.patch('/service/tickets/1', row, [{ op: 'replace', path: '/status', value: 1 }]),
    ).rejects.toThrow(/no leading slash/);
    await expect(
      client.patch('/service/tickets/1', row, [{ op: 'move' as never, path: 'status', value: 1 }]),
    ).rejects.toThrow(/add, replace or remove/);
    await expect(
      client.patch('/service/tickets/1', row, [{ op: 'replace', path: 'status' }]),
    ).rejects.toThrow(/needs a value/);
    expect(calls).toHaveLength(0);
  });

  it('refuses keys that could never authenticate', async () => {
    await expect(scripted(() => Response.json({}), { publicKey: 'a:b' })).rejects.toMatchObject({
      code: 'InvalidCredentials',
      kind: 'authentication',
    });
    await expect(
      scripted(() => Response.json({}), { privateKey: 'abc\r\nX-Evil: 1' }),
    ).rejects.toThrow(/control characters/);
    await expect(scripted(() => Response.json({}), { companyId: ' ' })).rejects.toThrow(
      /Company ID/,
    );
  });
});

describe('listAll paging', () => {
  it('follows Link rel=next, resending every parameter', async () => {
    const { client, calls } = await scripted((url) => {
      const page = Number(url.searchParams.get('page'));
      // The server's link drops the conditions; the client must not.
      const next: Record<string, string> =
        page < 3
          ? { link: `<${ORIGIN}/v2025_1/apis/3.0/company/companies?page=${page + 1}>; rel="next"` }
          : {};
      return rows(page * 10, page < 3 ? 2 : 1, next);
    });
    const all = await client.listAll('/company/companies', row, {
      conditions: cond.eq('deletedFlag', false),
      fields: ['id', 'name'],
      pageSize: 2,
    });
    expect(all.map((r) => r.id)).toEqual([10, 11, 20, 21, 30]);
    expect(calls.map((c) => Object.fromEntries(c.url.searchParams))).toEqual(
      [1, 2, 3].map((page) => ({
        conditions: 'deletedFlag=false',
        orderBy: 'id asc',
        fields: 'id,name',
        page: String(page),
        pageSize: '2',
      })),
    );
  });

  it('follows a forward-only pageId link', async () => {
    const { client, calls } = await scripted((url) =>
      url.searchParams.get('pageId') === null
        ? rows(1, 2, { link: '</v2025_1/apis/3.0/service/boards?pageId=2>; rel="next"' })
        : rows(3, 1),
    );
    expect(
      (await client.listAll('/service/boards', row, { pageSize: 2 })).map((r) => r.id),
    ).toEqual([1, 2, 3]);
    expect(calls[1]?.url.searchParams.get('pageId')).toBe('2');
    expect(calls[1]?.url.searchParams.get('page')).toBeNull();
  });

  it('stops on a full page whose Link has no next', async () => {
    const { client, calls } = await scripted(() =>
      rows(1, 2, { link: `<${ORIGIN}/x?page=1>; rel="first"` }),
    );
    expect(await client.listAll('/service/boards', row, { pageSize: 2 })).toHaveLength(2);
    expect(calls).toHaveLength(1);
  });

  it('keeps counting pages when the server sends no Link at all, or a blank one', async () => {
    for (const headers of [{}, { link: ' ' }] as Array<Record<string, string>>) {
      const { client, calls } = await scripted((url) => {
        const page = Number(url.searchParams.get('page'));
        return page === 3 ? rows(5, 0, headers) : rows(page * 10, 2, headers);
      });
      expect(await client.listAll('/service/boards', row, { pageSize: 2 })).toHaveLength(4);
      expect(calls.map((c) => c.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    }
  });

  it('takes only the page from a next link on another origin and never requests it', async () => {
    const { client, calls } = await scripted((url) =>
      url.searchParams.get('page') === '1'
        ? rows(1, 2, { link: '<http://evil.example:8080/steal?page=2&pageSize=9>; rel="next"' })
        : rows(3, 1),
    );
    expect(
      (await client.listAll('/service/boards', row, { pageSize: 2 })).map((r) => r.id),
    ).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.url.origin)).toEqual([ORIGIN, ORIGIN]);
    expect(calls[1]?.url.pathname).toBe('/v2025_1/apis/3.0/service/boards');
    expect(Object.fromEntries(calls[1]?.url.searchParams ?? [])).toMatchObject({
      page: '2',
      pageSize: '2',
    });
  });

  it('fails instead of truncating when the Link header cannot be read', async () => {
    for (const link of ['garbage', '<http://[bad>; rel="next"', '<a>; rel="next", junk']) {
      const { client, calls } = await scripted(() => rows(1, 2, { link }));
      await expect(client.listAll('/service/boards', row, { pageSize: 2 })).rejects.toMatchObject({
        code: 'InvalidResponse',
        kind: 'unexpected_response',
      });
      expect(calls).toHaveLength(1);
    }
  });

  it('stops when an endpoint ignores page and answers the same rows again', async () => {
    const { client, calls } = await scripted(() => rows(1, 2));
    await expect(client.listAll('/service/boards', row, { pageSize: 2 })).rejects.toMatchObject({
      code: 'InvalidResponse',
      message: expect.stringMatching(/ignore the page parameter/) as unknown,
    });
    expect(calls).toHaveLength(2);
  });

  it('stops when a page has more rows than pageSize', async () => {
    const { client, calls } = await scripted(() => rows(1, 5));
    await expect(client.listAll('/service/boards', row, { pageSize: 2 })).rejects.toThrow(
      /returned 5 rows for a page of 2/,
    );
    expect(calls).toHaveLength(1);
    await expect(client.listPage('/service/boards', row, { pageSize: 2 })).rejects.toMatchObject({
      code: 'InvalidResponse',
    });
  });

  it('caps the number of pages and of rows', async () => {
    const endless = (url: URL) => rows(Number(url.searchParams.get('page')) * 10, 2);
    const paged = await scripted(endless, { listLimits: { maxPages: 3 } });
    await expect(
      paged.client.listAll('/service/boards', row, { pageSize: 2 }),
    ).rejects.toMatchObject({
      code: 'ListTooLarge',
      kind: 'unexpected_response',
      message: expect.stringMatching(/more than 3 pages/) as unknown,
    });
    expect(paged.calls).toHaveLength(3);

    const counted = await scripted(endless, { listLimits: { maxRows: 5 } });
    await expect(counted.client.listAll('/service/boards', row, { pageSize: 2 })).rejects.toThrow(
      /more than 5 rows/,
    );
    expect(counted.calls).toHaveLength(3);
  });

  it('detects a link that loops back', async () => {
    const { client } = await scripted(() =>
      rows(1, 2, { link: `<${ORIGIN}/v2025_1/apis/3.0/service/boards?page=1>; rel="next"` }),
    );
    await expect(client.listAll('/service/boards', row, { pageSize: 2 })).rejects.toThrow(
      /already read/,
    );
  });

  it('count uses {collection}/count, without a trailing slash', async () => {
    const { client, calls } = await scripted(() => Response.json({ count: 7 }));
    expect(
      await client.count('/procurement/subcategories/', { conditions: cond.eq('category/id', 2) }),
    ).toBe(7);
    expect(calls[0]?.url.pathname).toBe('/v2025_1/apis/3.0/procurement/subcategories/count');
    expect(calls[0]?.url.search).toBe('?conditions=category%2Fid%3D2');
  });
});

describe('codebase refresh on 404', () => {
  const companyInfo = (codebase: string) =>
    Response.json({ CompanyName: 'Acme', Codebase: codebase, CompanyID: 'acme', IsCloud: true });
  const paths = (calls: Call[]) => calls.map((c) => c.url.pathname);

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('does not re-read CompanyInfo when ConnectWise names a missing record', async () => {
    const { client, calls } = await scripted((url) =>
      url.pathname.startsWith('/login/')
        ? companyInfo('v2025_2/')
        : Response.json({ code: 'NotFound', message: 'Ticket 42 not found' }, { status: 404 }),
    );
    await expect(client.get('/service/tickets/42', row)).rejects.toMatchObject({
      status: 404,
      kind: 'not_found',
      serverMessage: 'Ticket 42 not found',
    });
    expect(paths(calls)).toEqual(['/v2025_1/apis/3.0/service/tickets/42']);
  });

  it('does not re-read CompanyInfo when the stable alias is in use', async () => {
    const { client, calls } = await scripted(
      (url) =>
        url.pathname.startsWith('/login/')
          ? companyInfo('v2025_2/')
          : Response.json({ code: 'NotFound', message: 'Cannot find resource' }, { status: 404 }),
      { codebase: 'v4_6_release/' },
    );
    await expect(client.get('/system/info', row)).rejects.toMatchObject({ status: 404 });
    expect(paths(calls)).toEqual(['/v4_6_release/apis/3.0/system/info']);
  });

  it('re-reads CompanyInfo at most once a minute', async () => {
    let now = Date.parse('2025-11-01T00:00:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const { client, calls } = await scripted((url) =>
      url.pathname.startsWith('/login/')
        ? companyInfo('v2025_1/')
        : Response.json({ code: 'NotFound', message: 'Cannot find resource' }, { status: 404 }),
    );
    const companyInfoReads = () => paths(calls).filter((p) => p.startsWith('/login/')).length;
    await expect(client.get('/system/info', row)).rejects.toMatchObject({ status: 404 });
    now += 59_000;
    await expect(client.get('/system/info', row)).rejects.toMatchObject({ status: 404 });
    expect(companyInfoReads()).toBe(1);
    now += 2_000;
    await expect(client.get('/system/info', row)).rejects.toMatchObject({ status: 404 });
    expect(companyInfoReads()).toBe(2);
  });

  it('surfaces the 404 when CompanyInfo fails', async () => {
    const { client, calls } = await scripted((url) =>
      url.pathname.startsWith('/login/')
        ? new Response('oops', { status: 500 })
        : Response.json({ code: 'NotFound' }, { status: 404 }),
    );
    const err = await client.get('/system/info', row).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectWiseError);
    expect(err).toMatchObject({ status: 404, kind: 'not_found' });
    expect(calls.map((c) => c.url.pathname)).toEqual([
      '/v2025_1/apis/3.0/system/info',
      '/login/companyinfo/acme',
    ]);
  });

  it('retries only once, even if the retry 404s too', async () => {
    const onCodebaseChange = jest.fn();
    const { client, calls } = await scripted(
      (url) =>
        url.pathname.startsWith('/login/')
          ? companyInfo('v2025_2/')
          : Response.json({ code: 'NotFound' }, { status: 404 }),
      { onCodebaseChange },
    );
    await expect(client.get('/service/tickets/1', row)).rejects.toMatchObject({ status: 404 });
    expect(calls.map((c) => c.url.pathname)).toEqual([
      '/v2025_1/apis/3.0/service/tickets/1',
      '/login/companyinfo/acme',
      '/v2025_2/apis/3.0/service/tickets/1',
    ]);
    expect(onCodebaseChange).toHaveBeenCalledWith(
      'v2025_2/',
      expect.objectContaining({ codebase: 'v2025_2/' }),
    );
    // CompanyInfo carries no credentials.
    expect(calls[1]?.init.headers).toEqual({ Accept: 'application/json' });
  });

  it('refuses a codebase that would change the path shape', async () => {
    const { client, calls } = await scripted((url) =>
      url.pathname.startsWith('/login/')
        ? companyInfo('../admin/')
        : Response.json({ code: 'NotFound' }, { status: 404 }),
    );
    await expect(client.get('/system/info', row)).rejects.toMatchObject({ status: 404 });
    expect(calls).toHaveLength(2);
  });
});
