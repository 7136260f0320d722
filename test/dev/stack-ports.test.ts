import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { freePorts, reservePort } from '../../dev/ports';
import { apiReadyAs } from '../../dev/probes';
import { assertPortsFree, resolvePorts } from '../../dev/stack-ports';

describe('resolvePorts', () => {
  it('uses the fixed defaults, overridden by env, overridden by explicit ports', () => {
    expect(resolvePorts({}, {})).toEqual({
      temporal: 7233,
      temporalUi: 8233,
      ferretdb: 27017,
      simulator: 4010,
      api: 3000,
      apiMetrics: 9464,
      workerMetrics: 9465,
      workerSdkMetrics: 9466,
    });
    const env = { TEMPORAL_PORT: '17233', PORT: '3999' };
    expect(resolvePorts({ api: 4444 }, env)).toMatchObject({ temporal: 17233, api: 4444 });
  });

  it('rejects an override that is not a port', () => {
    expect(() => resolvePorts({}, { FERRETDB_PORT: 'mongo' })).toThrow(
      'FERRETDB_PORT=mongo is not a port number',
    );
  });
});

describe('freePorts', () => {
  it('returns distinct ports', async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
  });
});

describe('assertPortsFree', () => {
  let server: Server;
  let busy: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    busy = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('names the busy port, its part and the variable that moves it', async () => {
    const [free1 = 0, free2 = 0, free3 = 0, free4 = 0, free5 = 0, free6 = 0, free7 = 0] =
      await freePorts(7);
    const ports = {
      temporal: busy,
      temporalUi: free1,
      ferretdb: free2,
      simulator: free3,
      api: free4,
      apiMetrics: free5,
      workerMetrics: free6,
      workerSdkMetrics: free7,
    };
    await expect(assertPortsFree(ports, ['temporal', 'api'])).rejects.toThrow(
      `port ${busy} for the Temporal dev server is in use (set TEMPORAL_PORT to use another)`,
    );
    await expect(assertPortsFree(ports, ['simulator', 'api'])).resolves.toBeUndefined();
  });
});

describe('reservePort', () => {
  it('holds the port until released: nobody else can bind it meanwhile', async () => {
    const { port, release } = await reservePort();
    const other = createServer();
    await expect(
      new Promise((resolve, reject) => {
        other.once('error', reject);
        other.listen(port, '127.0.0.1', () => resolve(undefined));
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await release();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });
});

describe('apiReadyAs', () => {
  let server: HttpServer;
  let url: string;
  let answer: { status: number; body: unknown };
  beforeAll(async () => {
    server = createHttpServer((_req, res) => {
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is ready only when our instance answers ready; another process on the port is an error', async () => {
    answer = { status: 200, body: { status: 'ready', instance: 'ours' } };
    expect(await apiReadyAs(url, 'ours')).toBe(true);
    answer = { status: 503, body: { status: 'unavailable', instance: 'ours' } };
    expect(await apiReadyAs(url, 'ours')).toBe(false);
    answer = { status: 200, body: { status: 'ready', instance: 'another stack' } };
    await expect(apiReadyAs(url, 'ours')).rejects.toThrow(
      `another process answers at ${url} (instance another stack)`,
    );
  });
});
