/**
 * What every benchmark runs against: FerretDB and a Temporal dev server (the tool cache's
 * binaries, dev/processes.ts), the ConnectWise simulator in a child process, the engine's worker
 * in its own process as production starts it (engine-process.ts: the compiled worker/main.ts, the
 * prebundled workflows), optionally the API in its own process too, the bench's own Temporal
 * client and database connection, and one integration on the simulator with its codebase saved
 * (as create saves it). Everything started is stopped by `close()`, the engine's processes first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Connection as DbConnection } from 'mongoose';
import { loadConfig, type Config } from '../../config';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import { discardLines } from '../../dev/managed';
import { freePort } from '../../dev/ports';
import { startFerretDb, startTemporalDevServer } from '../../dev/processes';
import { keyringFromConfig, type Keyring } from '../../security';
import { sealPrivateKey } from '../../services/integration-client';
import { DEFAULT_CODEBASE, DEMO_CREDENTIALS } from '../../simulator';
import { createDataConverter } from '../../temporal/data-converter';
import { prebundleInChild, type SimulatorChild } from './children';
import {
  commandOf,
  prepareWorkerEntry,
  startApiChild,
  startWorkerChild,
  workerMemoryOf,
  type WorkerChild,
  type WorkerEnv,
  type WorkerMemory,
} from './engine-process';

export interface ServersOptions {
  /** The worker's task queue; the interactive one is `<taskQueue>-interactive`. */
  taskQueue: string;
  /** Starts the simulator child (children.ts `startSimulatorChild`). */
  simulator: () => Promise<SimulatorChild>;
  /** Also run the API in its own process (compiled like the worker), on a free port. */
  api?: boolean;
  /** Worker processes on the same task queues (default 1; BENCH_WORKERS in the benches). */
  workers?: number;
  /** API processes, each on a port of its own, when `api` (default 1; BENCH_APIS). */
  apis?: number;
  /** More engine configuration for its processes (e.g. SYNC_WORKER_MAX_ACTIVITIES). */
  engineEnv?: Record<string, string>;
}

export interface Servers {
  sim: SimulatorChild;
  /** The engine's (first) worker process. */
  worker: WorkerChild;
  /** Every worker process, the first one first. */
  workers: WorkerChild[];
  /** The (first) API process and its origin, when asked for. */
  api?: WorkerChild & { url: string };
  /** Every API process, the first one first (empty without `api`). */
  apis: Array<WorkerChild & { url: string }>;
  config: Config;
  keyring: Keyring;
  conn: DbConnection;
  repos: Repositories;
  client: Client;
  /** Processes whose CPU time a bench may report. */
  pids: Record<string, number | undefined>;
  /** process.memoryUsage() of this process (the driver, no worker) at setup stages. */
  memory: Array<{ stage: string; usage: NodeJS.MemoryUsage }>;
  /** The worker process's VmRSS / VmHWM at setup stages. */
  workerMemory: Array<{ stage: string; usage: WorkerMemory | undefined }>;
  /** Stops everything started, the engine's processes first. */
  close(): Promise<void>;
}

/** Runs `fn`, printing how long it took. */
export const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const value = await fn();
  console.log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return value;
};

export async function startServers(opts: ServersOptions): Promise<Servers> {
  const memory: Servers['memory'] = [{ stage: 'modules loaded', usage: process.memoryUsage() }];
  const dir = mkdtempSync(join(tmpdir(), 'cw-engine-bench-'));
  const stops: Array<() => Promise<void>> = [
    // A throw (a process still writing there) becomes a rejection, caught below, so it never
    // hides the error that stopped the setup.
    () => new Promise<void>((resolve) => resolve(rmSync(dir, { recursive: true, force: true }))),
  ];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const bundlePath = join(dir, 'workflow-bundle.js');
    const [ferret, temporal, sim, , workerEntry] = await step(
      'FerretDB, Temporal, simulator, workflow bundle, engine compile',
      () =>
        Promise.all([
          startFerretDb({ dataDir: join(dir, 'db'), log: discardLines, ephemeral: true }),
          startTemporalDevServer({ headless: true, log: discardLines }),
          opts.simulator(),
          prebundleInChild(bundlePath),
          prepareWorkerEntry(dir),
        ]),
    );
    stops.push(
      () => ferret.stop(),
      () => temporal.stop(),
      () => sim.stop(),
    );

    // The engine's configuration: its processes get it as their environment, the bench's
    // client and database connection read the same values. The API's port is chosen first: it
    // is the engine's public address (where the simulator's callbacks go).
    const apiPort = opts.api ? await freePort() : undefined;
    const engineEnv: WorkerEnv = {
      ...(apiPort ? { PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}` } : {}),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      CW_ALLOW_PRIVATE_HOSTS: 'true',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      TEMPORAL_INTERACTIVE_TASK_QUEUE: `${opts.taskQueue}-interactive`,
      TEMPORAL_TICKET_TASK_QUEUE: `${opts.taskQueue}-tickets`,
      MONGODB_URI: ferret.uri,
      LOG_LEVEL: 'warn',
      WORKFLOW_BUNDLE_PATH: bundlePath,
      ...opts.engineEnv,
    };
    const config = loadConfig(engineEnv);
    const keyring = keyringFromConfig(config);
    const conn = await connectDatabase({ uri: config.MONGODB_URI });
    stops.push(() => conn.close());
    const repos = await createRepositories(conn);

    memory.push({ stage: 'database connected', usage: process.memoryUsage() });
    const workers: WorkerChild[] = [];
    for (let n = 1; n <= (opts.workers ?? 1); n++) {
      const child = await step(
        `worker process ${n} (${commandOf(workerEntry, 'worker')}) polling`,
        () =>
          startWorkerChild(workerEntry, engineEnv, {
            address: config.TEMPORAL_ADDRESS,
            namespace: config.TEMPORAL_NAMESPACE,
            queues: {
              taskQueue: config.TEMPORAL_TASK_QUEUE,
              interactiveTaskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
              ticketTaskQueue: config.TEMPORAL_TICKET_TASK_QUEUE,
            },
          }),
      );
      // Stopped first (stops run in reverse): it drains while the database and Temporal are up.
      stops.push(() => child.stop());
      workers.push(child);
    }
    const worker = workers[0]!;
    const workerMemory: Servers['workerMemory'] = [
      { stage: 'workers created and polling', usage: workerMemoryOf(worker.pid) },
    ];
    memory.push({ stage: 'worker process polling', usage: process.memoryUsage() });
    const apis: Servers['apis'] = [];
    for (let n = 1; opts.api && n <= (opts.apis ?? 1); n++) {
      // The first one's port is the public address (PUBLIC_BASE_URL); the others are beside it.
      const port = n === 1 ? apiPort! : await freePort();
      const apiEnv = {
        ...engineEnv,
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: `api-${n}`,
      };
      const child = await step(`API process ${n} (${commandOf(workerEntry, 'api')}) ready`, () =>
        startApiChild(workerEntry, apiEnv),
      );
      stops.push(() => child.stop());
      apis.push(Object.assign(child, { url: `http://${apiEnv.HOST}:${apiEnv.PORT}` }));
    }
    const api = apis[0];
    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(keyring),
    });
    return {
      sim,
      worker,
      workers,
      ...(api ? { api } : {}),
      apis,
      config,
      keyring,
      conn,
      repos,
      client,
      pids: {
        ...Object.fromEntries(
          workers.map((w, i) => [i === 0 ? 'worker process' : `worker process ${i + 1}`, w.pid]),
        ),
        ...Object.fromEntries(
          apis.map((a, i) => [i === 0 ? 'API process' : `API process ${i + 1}`, a.pid]),
        ),
        'bench driver (this process)': process.pid,
        FerretDB: ferret.process.pid,
        ...(ferret.postgres ? { [POSTGRES]: ferret.postgres.process.pid } : {}),
        'Temporal server': temporal.process.pid,
        simulator: sim.process.pid,
      },
      memory,
      workerMemory,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The name of PostgreSQL's server in `pids`: its CPU is that of all its processes. */
export const POSTGRES = 'PostgreSQL (all its processes)';

/** One integration on the simulator, active, with its codebase saved (as create saves it). */
export async function createBenchIntegration(
  servers: Pick<Servers, 'repos' | 'keyring' | 'sim'>,
): Promise<{ partnerId: string; integrationId: string }> {
  const { keyring } = servers;
  const partnerId = `bench-${randomBytes(3).toString('hex')}`;
  const { id: integrationId } = await servers.repos.integrations.create({
    partnerId,
    site: servers.sim.origin,
    companyId: DEMO_CREDENTIALS.companyId,
    publicKey: DEMO_CREDENTIALS.publicKey,
    sealPrivateKey: (id) => sealPrivateKey(keyring, id, DEMO_CREDENTIALS.privateKey),
    // What create saves from its Test Connection: no run has to discover it again.
    codebase: DEFAULT_CODEBASE,
    isCloud: false,
  });
  return { partnerId, integrationId };
}

/** The vendor's customers, each mapped to its ConnectWise company. */
export async function mapCustomers(
  repos: Pick<Repositories, 'vendor' | 'companyMappings'>,
  ids: { partnerId: string; integrationId: string },
  customers: ReadonlyArray<{ customerId: string; name: string; companyId: number }>,
): Promise<void> {
  const { partnerId, integrationId } = ids;
  await repos.vendor.upsertCustomers(
    partnerId,
    customers.map(({ customerId, name }) => ({ customerId, name })),
  );
  // In saves of 100: FerretDB reads the whole collection for each upsert of this repository
  // (its filter is not on `_id`), so one save of 1,000 outlasted the 30 s socket timeout here.
  for (let k = 0; k < customers.length; k += 100) {
    await repos.companyMappings.save(
      partnerId,
      integrationId,
      customers.slice(k, k + 100).map(({ customerId, companyId }) => ({ customerId, companyId })),
    );
  }
}

/** A whole number from the environment (`fallback` when unset). */
export const envInt = (name: string, fallback: number, env = process.env): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, got ${value}`);
  return n;
};
