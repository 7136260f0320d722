import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cw from '../../connectwise';

/** A local server that records each request's raw path, exactly as it arrived on the wire. */
let server: Server;
let origin: string;
const journal: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    journal.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/login/companyinfo/')) {
      res.end(
        JSON.stringify({
          CompanyName: 'Acme',
          Codebase: 'v2025_1/',
          CompanyID: 'acme',
          IsCloud: false,
        }),
      );
    } else {
      res.end(JSON.stringify({ version: 'v2025.1', isCloud: false }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  journal.length = 0;
});

/** Every segment of every path the server saw is percent-encoded and none is `.` or `..`. */
function expectOnlyEncodedSegments(): void {
  for (const url of journal) {
    const path = url.split('?')[0] as string;
    for (const segment of path.split('/').slice(1)) {
      expect(['.', '..']).not.toContain(segment);
      expect(encodeURIComponent(decodeURIComponent(segment))).toBe(segment);
    }
  }
}

const client = (companyId: string) =>
  cw.createConnectWiseClient({
    site: origin,
    companyId,
    publicKey: 'pub',
    privateKey: 'priv',
    clientId: '',
    allowPrivateHosts: true,
  });

describe('CompanyInfo path', () => {
  it.each(['acme', 'a b', 'ü', 'x/y', '%2e%2e', '.hidden'])(
    'sends Company ID %j as one encoded segment',
    async (companyId) => {
      await cw.fetchCompanyInfo(origin, companyId);
      expect(journal).toEqual([`/login/companyinfo/${encodeURIComponent(companyId)}`]);
      expectOnlyEncodedSegments();
    },
  );

  it.each(['', '.', '..', 'demo\ud800', '\udc00demo'])(
    'refuses Company ID %j before sending anything',
    async (companyId) => {
      const err = await cw.fetchCompanyInfo(origin, companyId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cw.ConnectWiseError);
      expect(err).toMatchObject({ code: 'InvalidRequest' });
      expect(journal).toEqual([]);
    },
  );
});

describe('client', () => {
  it('builds every path from encoded segments: CompanyInfo, codebase, API path, ids', async () => {
    const c = await client('acme');
    await cw.getSystemInfo(c);
    // The server's answer is no company; only the path it was asked for matters here.
    await cw.getCompany(c, 42).catch(() => undefined);
    expect(journal).toEqual([
      '/login/companyinfo/acme',
      '/v2025_1/apis/3.0/system/info',
      '/v2025_1/apis/3.0/company/companies/42',
    ]);
    expectOnlyEncodedSegments();
  });

  it.each(['.', '..', 'demo\ud800', 'a b', 'acme:x', 'a'.repeat(31), '-acme'])(
    'refuses the Company ID %j as credentials that could never work, sending nothing',
    async (companyId) => {
      const err = await client(companyId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cw.ConnectWiseError);
      expect(err).toMatchObject({ code: 'InvalidCredentials', kind: 'authentication' });
      expect((err as Error).message).toMatch(/Company ID/);
      expect(journal).toEqual([]);
    },
  );

  it('accepts Company IDs that are short identifiers', async () => {
    for (const companyId of ['acme', 'acme-msp', 'acme_msp', 'acme.msp', 'A1', 'a'.repeat(30)]) {
      await client(companyId);
    }
    expect(journal).toHaveLength(6);
    expectOnlyEncodedSegments();
  });
});
