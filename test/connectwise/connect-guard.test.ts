import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import * as cw from '../../connectwise';

type LookupResult = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[] };

function lookupWith(
  addresses: string[],
  options: { all?: boolean; family?: number } = {},
): Promise<LookupResult> {
  const lookup = cw.guardedLookup(() => Promise.resolve(addresses));
  return new Promise((resolve) => {
    lookup('cw.example.com', options, (err, address) => resolve({ err, address }));
  });
}

describe('guardedLookup', () => {
  it('passes public addresses in the form net.connect asks for', async () => {
    const both = ['93.184.216.34', '2606:2800:220:1::1'];
    expect(await lookupWith(both, { all: true })).toEqual({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
    expect(await lookupWith(both)).toEqual({ err: null, address: '93.184.216.34' });
    expect(await lookupWith(both, { family: 6 })).toEqual({
      err: null,
      address: '2606:2800:220:1::1',
    });
  });

  it.each([[['127.0.0.1']], [['10.0.0.5']], [['93.184.216.34', '169.254.169.254']], [['::1']]])(
    'refuses %j',
    async (addresses: string[]) => {
      const { err } = await lookupWith(addresses, { all: true });
      expect(err).toBeInstanceOf(Error);
      expect(err?.message).toMatch(/only servers on the public internet/);
    },
  );
});

describe('DNS rebinding', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end('{}');
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    connections = 0;
  });

  /** Public when the client is created, loopback afterwards: the classic rebinding answer. */
  function rebinding(): cw.HostLookup {
    let calls = 0;
    return () => Promise.resolve([calls++ === 0 ? '93.184.216.34' : '127.0.0.1']);
  }

  it('(control) without the guard, the name reaches this loopback server', async () => {
    const lookup = rebinding();
    await lookup('warm-up');
    const unguarded = new Agent({
      connect: {
        lookup: (hostname, _options, callback) => {
          lookup(hostname).then(
            ([address]) => callback(null, [{ address: address as string, family: 4 }]),
            (err: NodeJS.ErrnoException) => callback(err, '', 0),
          );
        },
      },
    });
    const res = await fetch(`http://cw.public.example:${port}/`, {
      dispatcher: unguarded,
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    await res.text();
    await unguarded.destroy();
    expect(connections).toBe(1);
  });

  /** A client for a public name that, at connect time, resolves to a loopback address. */
  const rebindingClient = () =>
    cw.createConnectWiseClient({
      site: `https://cw.public.example:${port}`,
      companyId: 'acme',
      publicKey: 'pub',
      privateKey: 'priv',
      clientId: '',
      codebase: 'v2025_1/',
      lookup: rebinding(),
    });

  it("goes through undici's own fetch, never Node's built-in one", async () => {
    // Node's fetch bundles its own undici; handed the npm package's Agent of another major
    // version it fails every request. The guard must never give its Agent to it.
    const builtIn = jest.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('built-in fetch'));
    try {
      const client = await rebindingClient();
      const err = await cw.getSystemInfo(client).catch((e: unknown) => e);
      // The guarded Agent's lookup ran (it refused the rebound address), so the dispatcher was
      // honoured, and by a fetch other than the built-in one.
      expect(err).toMatchObject({ code: 'InvalidSite' });
      expect(builtIn).not.toHaveBeenCalled();
    } finally {
      builtIn.mockRestore();
    }
  });

  it('refuses the connection when the name now resolves to a loopback address', async () => {
    const client = await rebindingClient();
    const err = await cw.getSystemInfo(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cw.ConnectWiseError);
    expect(err).toMatchObject({ code: 'InvalidSite', kind: 'validation', path: '/system/info' });
    expect((err as Error).message).toMatch(
      /cw\.public\.example points to 127\.0\.0\.1, a loopback/,
    );
    expect(connections).toBe(0);
  });
});
