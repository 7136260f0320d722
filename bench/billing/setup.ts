/**
 * Everything the billing benchmark runs against: the servers of common/servers.ts (FerretDB,
 * Temporal, the simulator in a child process seeded with the customers' companies and agreements,
 * the engine's worker in its own process as production starts it, a Temporal client); then the
 * tenant: an integration with its codebase saved (as create does), 5 products, the customers
 * mapped to their companies, their usage, and billing settings choosing each one's agreement.
 */
import { resolve } from 'node:path';
import { startSimulatorChild } from '../common/children';
import { ferretDebugOrigin } from '../common/ferretdb-metrics';
import {
  createBenchIntegration,
  envInt,
  mapCustomers,
  startServers,
  step,
  type Servers,
} from '../common/servers';
import { writeUsageSets } from './usage-seed';
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
  /** Worker processes on the task queues (BENCH_WORKERS, default 1): the run's split is shown. */
  workers: number;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const customers = envInt('BENCH_CUSTOMERS', 1000, env);
  return {
    customers,
    naiveCustomers: envInt('BENCH_NAIVE_CUSTOMERS', Math.min(50, customers), env),
    latencyMs: envInt('BENCH_LATENCY_MS', 100, env),
    concurrency: 10,
    workers: envInt('BENCH_WORKERS', 1, env),
  };
}

/** customer index → sku → quantity */
export type Usage = Map<number, Map<string, number>>;

/** The servers (common/servers.ts) and the tenant on them. */
export interface Bench extends Pick<
  Servers,
  | 'sim'
  | 'worker'
  | 'workers'
  | 'repos'
  | 'config'
  | 'client'
  | 'pids'
  | 'memory'
  | 'workerMemory'
  | 'close'
> {
  opts: BenchOptions;
  /** FerretDB's debug handler (its metrics), if found. */
  dbMetrics?: string;
  partnerId: string;
  integrationId: string;
  /** The engine's customers' usage as last pushed. */
  usage: Usage;
  /** The naive sample's customers' usage (indices after the engine's). */
  naiveUsage: Usage;
  /** Pushes these customers' usage (a new set each, as the portal does). */
  pushUsage(indices: Iterable<number>): Promise<void>;
}

export async function startBench(opts: BenchOptions): Promise<Bench> {
  const servers = await startServers({
    taskQueue: 'bench-billing',
    simulator: billingSimulator(opts),
    workers: opts.workers,
  });
  try {
    return await seedBillingTenant(servers, opts);
  } catch (err) {
    await servers.close();
    throw err;
  }
}

/**
 * The simulator child of this bench (the demo seed and the customers' companies and agreements),
 * for another bench that bills beside its own work (bench/tickets.ts).
 */
export const billingSimulator = (opts: BenchOptions) => () =>
  startSimulatorChild(resolve(__dirname, 'sim-server.ts'), {
    BENCH_SIM_COMPANIES: String(opts.customers + opts.naiveCustomers),
    BENCH_SIM_ENGINE_CUSTOMERS: String(opts.customers),
  });

/** The billing tenant on running servers (whose simulator is `billingSimulator`'s). */
export async function seedBillingTenant(servers: Servers, opts: BenchOptions): Promise<Bench> {
  const { sim, worker, workers, repos, config, client, conn } = servers;
  const { partnerId, integrationId } = await createBenchIntegration(servers);
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
  await step(`tenant: ${opts.customers} customers × ${PRODUCTS.length} skus, mapped`, async () => {
    await repos.vendor.upsertProducts(partnerId, PRODUCTS);
    await mapCustomers(
      repos,
      { partnerId, integrationId },
      indices.map((i) => ({
        customerId: customerIdOf(i),
        name: `Bench customer ${i}`,
        companyId: companyIdOf(i),
      })),
    );
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
  const dbMetrics = await ferretDebugOrigin(servers.pids.FerretDB);
  return {
    opts,
    ...(dbMetrics ? { dbMetrics } : {}),
    sim,
    worker,
    workers,
    repos,
    config,
    client,
    partnerId,
    integrationId,
    usage,
    naiveUsage,
    pushUsage,
    pids: servers.pids,
    memory: servers.memory,
    workerMemory: servers.workerMemory,
    close: () => servers.close(),
  };
}
