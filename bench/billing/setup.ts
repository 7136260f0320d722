/**
 * Everything the billing benchmark runs against: FerretDB and a Temporal dev server (the tool
 * cache's binaries, dev/processes.ts), the simulator in a child process, the engine's worker in
 * its own process as production starts it (worker-process.ts: the compiled worker/main.ts, the
 * prebundled workflows) and a Temporal client; then
 * the tenant: an integration with its codebase saved (as create does), 5 products, the customers
 * mapped to their companies, their usage, and billing settings choosing each one's agreement.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../config';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import { discardLines } from '../../dev/managed';
import { startFerretDb, startTemporalDevServer } from '../../dev/processes';
import { keyringFromConfig } from '../../security';
import { sealPrivateKey } from '../../services/integration-client';
import { DEFAULT_CODEBASE, DEMO_CREDENTIALS } from '../../simulator';
import { createDataConverter } from '../../temporal/data-converter';
import { prebundleInChild, startSimulatorChild, type SimulatorChild } from './children';
import { writeUsageSets } from './usage-seed';
import {
  prepareWorkerEntry,
  startWorkerChild,
  workerMemoryOf,
  type WorkerChild,
  type WorkerEnv,
  type WorkerMemory,
} from './worker-process';
import {
  agreementIdOf,
  CATALOG_DEFAULTS,
  companyIdOf,
  customerIdOf,
  initialUsage,
  PRODUCTS,
} from './tenant';

export interface BenchOptions {
  /** Customers the engine bills (BENCH_CUSTOMERS, default 1,000). */
  customers: number;
  /** Customers of the naive baseline's sample (BENCH_NAIVE_CUSTOMERS, default 50). */
  naiveCustomers: number;
  /** Injected per ConnectWise request (BENCH_LATENCY_MS, default 100). */
  latencyMs: number;
  /** The billing settings' concurrency (the most they allow). */
  concurrency: number;
}

const positiveInt = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, got ${value}`);
  return n;
};

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const customers = positiveInt('BENCH_CUSTOMERS', env.BENCH_CUSTOMERS, 1000);
  return {
    customers,
    naiveCustomers: positiveInt(
      'BENCH_NAIVE_CUSTOMERS',
      env.BENCH_NAIVE_CUSTOMERS,
      Math.min(50, customers),
    ),
    latencyMs: positiveInt('BENCH_LATENCY_MS', env.BENCH_LATENCY_MS, 100),
    concurrency: 10,
  };
}

/** customer index → sku → quantity */
export type Usage = Map<number, Map<string, number>>;

export interface Bench {
  opts: BenchOptions;
  sim: SimulatorChild;
  /** The engine's worker process. */
  worker: WorkerChild;
  repos: Repositories;
  config: Config;
  client: Client;
  partnerId: string;
  integrationId: string;
  /** The engine's customers' usage as last pushed. */
  usage: Usage;
  /** The naive sample's customers' usage (indices after the engine's). */
  naiveUsage: Usage;
  /** Processes whose CPU time each phase reports. */
  pids: Record<
    'worker process' | 'bench driver (this process)' | 'FerretDB' | 'Temporal server' | 'simulator',
    number | undefined
  >;
  /** process.memoryUsage() of this process (the driver, no worker) at setup stages. */
  memory: Array<{ stage: string; usage: NodeJS.MemoryUsage }>;
  /** The worker process's VmRSS / VmHWM at setup stages. */
  workerMemory: Array<{ stage: string; usage: WorkerMemory | undefined }>;
  /** Pushes these customers' usage (a new set each, as the portal does). */
  pushUsage(indices: Iterable<number>): Promise<void>;
  close(): Promise<void>;
}

const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const value = await fn();
  console.log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return value;
};

export async function startBench(opts: BenchOptions): Promise<Bench> {
  const memory: Bench['memory'] = [{ stage: 'modules loaded', usage: process.memoryUsage() }];
  const dir = mkdtempSync(join(tmpdir(), 'cw-engine-bench-'));
  const stops: Array<() => Promise<void>> = [
    () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  ];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const bundlePath = join(dir, 'workflow-bundle.js');
    const [ferret, temporal, sim, , workerEntry] = await step(
      'FerretDB, Temporal, simulator, workflow bundle, worker compile',
      () =>
        Promise.all([
          startFerretDb({ dataDir: join(dir, 'db'), log: discardLines }),
          startTemporalDevServer({ headless: true, log: discardLines }),
          startSimulatorChild(opts.customers + opts.naiveCustomers),
          prebundleInChild(bundlePath),
          prepareWorkerEntry(dir),
        ]),
    );
    stops.push(
      () => ferret.stop(),
      () => temporal.stop(),
      () => sim.stop(),
    );

    // The engine's configuration: the worker process gets it as its environment, the bench's
    // client and database connection read the same values.
    const engineEnv: WorkerEnv = {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      CW_ALLOW_PRIVATE_HOSTS: 'true',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-billing',
      TEMPORAL_INTERACTIVE_TASK_QUEUE: 'bench-billing-interactive',
      MONGODB_URI: ferret.uri,
      LOG_LEVEL: 'warn',
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
    const config = loadConfig(engineEnv);
    const keyring = keyringFromConfig(config);
    const conn = await connectDatabase({ uri: config.MONGODB_URI });
    stops.push(() => conn.close());
    const repos = await createRepositories(conn);

    memory.push({ stage: 'database connected', usage: process.memoryUsage() });
    const worker = await step(
      `worker process (${workerEntry.mode === 'compiled' ? 'node dist/worker/main.js' : 'node --import tsx worker/main.ts'}) polling`,
      () =>
        startWorkerChild(workerEntry, engineEnv, {
          address: config.TEMPORAL_ADDRESS,
          namespace: config.TEMPORAL_NAMESPACE,
          queues: {
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            interactiveTaskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
          },
        }),
    );
    // Stopped first (stops run in reverse): it drains while the database and Temporal are up.
    stops.push(() => worker.stop());
    const workerMemory: Bench['workerMemory'] = [
      { stage: 'workers created and polling', usage: workerMemoryOf(worker.pid) },
    ];
    memory.push({ stage: 'worker process polling', usage: process.memoryUsage() });
    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(keyring),
    });

    const partnerId = `bench-${randomBytes(3).toString('hex')}`;
    const { id: integrationId } = await repos.integrations.create({
      partnerId,
      site: sim.origin,
      companyId: DEMO_CREDENTIALS.companyId,
      publicKey: DEMO_CREDENTIALS.publicKey,
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, DEMO_CREDENTIALS.privateKey),
      // What create saves from its Test Connection: no run has to discover it again.
      codebase: DEFAULT_CODEBASE,
      isCloud: false,
    });
    const usage = initialUsage(0, opts.customers);
    const naiveUsage = initialUsage(opts.customers, opts.naiveCustomers);
    const indices = [...usage.keys()];
    const usageAsOf = new Map<number, Date>();
    const pushUsage = async (which: Iterable<number>) => {
      const asOf = new Date();
      const list = [...which];
      const writes = list.map((i) => ({
        customerId: customerIdOf(i),
        lines: usage.get(i) ?? new Map<string, number>(),
        replacesAsOf: usageAsOf.get(i),
      }));
      await writeUsageSets(conn, partnerId, asOf, writes);
      for (const i of list) usageAsOf.set(i, asOf);
    };
    await step(`tenant: ${opts.customers} customers × ${PRODUCTS.length} skus`, async () => {
      await repos.vendor.upsertProducts(partnerId, PRODUCTS);
      await repos.vendor.upsertCustomers(
        partnerId,
        indices.map((i) => ({ customerId: customerIdOf(i), name: `Bench customer ${i}` })),
      );
    });
    // In saves of 100: FerretDB reads the whole collection for each upsert of this repository
    // (its filter is not on `_id`), so one save of 1,000 outlasted the 30 s socket timeout here.
    await step('company mappings, saved 100 at a time', async () => {
      for (let k = 0; k < indices.length; k += 100) {
        await repos.companyMappings.save(
          partnerId,
          integrationId,
          indices
            .slice(k, k + 100)
            .map((i) => ({ customerId: customerIdOf(i), companyId: companyIdOf(i) })),
        );
      }
    });
    await step('usage sets (bulk) and billing settings', async () => {
      await pushUsage(indices);
      await repos.integrations.update(partnerId, integrationId, {
        billingSettings: {
          enabled: true,
          agreements: indices.map((i) => ({
            customerId: customerIdOf(i),
            agreementId: agreementIdOf(i),
          })),
          catalogDefaults: CATALOG_DEFAULTS,
          concurrency: opts.concurrency,
        },
      });
    });
    return {
      opts,
      sim,
      worker,
      repos,
      config,
      client,
      partnerId,
      integrationId,
      usage,
      naiveUsage,
      pushUsage,
      pids: {
        'worker process': worker.pid,
        'bench driver (this process)': process.pid,
        FerretDB: ferret.process.pid,
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
