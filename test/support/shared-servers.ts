import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardLines } from '../../dev/managed';
import { startFerretDb, startTemporalDevServer } from '../../dev/processes';
import { prebundleWorkflows } from '../../worker/prebundle';
import { SHARED, type SharedName } from './shared-env';

export interface Started {
  value: string;
  stop(): Promise<void>;
}

async function inTempDir(prefix: string, start: (dir: string) => Promise<Started>) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const started = await start(dir);
    return { value: started.value, stop: () => started.stop().finally(removeDir) };
  } catch (err) {
    removeDir();
    throw err;
  }
}

export type Starters = Record<SharedName, () => Promise<Started>>;

const serverStarters: Starters = {
  database: () =>
    inTempDir('cw-engine-test-db-', async (dataDir) => {
      const ferret = await startFerretDb({ dataDir, log: discardLines, ephemeral: true });
      return { value: ferret.uri, stop: () => ferret.stop() };
    }),
  temporal: async () => {
    const server = await startTemporalDevServer({ headless: true, log: discardLines });
    return { value: server.address, stop: () => server.stop() };
  },
  workflowBundle: () =>
    inTempDir('cw-engine-test-bundle-', async (dir) => {
      const path = join(dir, 'workflow-bundle.js');
      await prebundleWorkflows(path);
      return { value: path, stop: () => Promise.resolve() };
    }),
};

const isSharedName = (name: string): name is SharedName => Object.hasOwn(SHARED, name);

/**
 * The run's shared servers, owned by the jest process: each starts at most once, on the first
 * `get` (or request from a test worker), and `close` stops whatever started.
 */
export class SharedServers {
  private readonly started = new Map<SharedName, Promise<Started>>();
  private http: Server | undefined;

  constructor(private readonly starters: Starters = serverStarters) {}

  async get(name: SharedName): Promise<string> {
    let starting = this.started.get(name);
    if (!starting) {
      starting = this.starters[name]();
      this.started.set(name, starting);
    }
    return (await starting).value;
  }

  /** Serves `GET /<name>` to the test workers on a loopback port; returns its URL. */
  async listen(): Promise<string> {
    const http = createServer((req, res) => {
      const name = (req.url ?? '').slice(1);
      if (!isSharedName(name)) {
        res.writeHead(404).end(`unknown shared server ${name}`);
        return;
      }
      this.get(name).then(
        (value) => res.end(value),
        (err: unknown) => res.writeHead(500).end(err instanceof Error ? err.message : String(err)),
      );
    });
    // Never close an idle kept-alive socket: a test worker reusing it just as the server timed
    // it out got "other side closed" (seen on a loaded machine). A first request may also wait
    // minutes (webpack, a Temporal start): no request deadline either. close() ends them all.
    http.keepAliveTimeout = 0;
    http.requestTimeout = 0;
    http.headersTimeout = 0;
    this.http = http;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const http = this.http;
    if (http) {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    }
    const all = await Promise.allSettled(this.started.values());
    await Promise.allSettled(
      all.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])),
    );
  }
}
