/**
 * What the ticket benchmark runs against: the servers of common/servers.ts with the API in its
 * own process too (compiled like the worker), the simulator with the demo seed plus one generated
 * company per customer (`seed.companies(n)` of its admin API), and the tenant: an integration, the
 * customers each mapped to its own company, ticket settings as test/api/ticket-helpers.ts sets
 * them (board 2, source 4, New 201 → Resolved 203, the default 15-minute note window), and a
 * partner API token to post events with.
 */
import { resolve } from 'node:path';
import { startSimulatorChild } from '../common/children';
import {
  createBenchIntegration,
  envInt,
  mapCustomers,
  startServers,
  step,
  type Servers,
} from '../common/servers';
import { DEMO_TICKET_SETTINGS } from '../../simulator';
import { billingSimulator, seedBillingTenant, type Bench as BillingBench } from '../billing/setup';

export interface TicketBenchOptions {
  /** Posts per second (BENCH_RATE, default 50). */
  rate: number;
  /** How long the load lasts (BENCH_SECONDS, default 60). */
  seconds: number;
  /** Customers, each with its own ConnectWise company (BENCH_CUSTOMERS, default 200). */
  customers: number;
  /** Injected per ConnectWise request (BENCH_LATENCY_MS, default 100). */
  latencyMs: number;
  /** Shares of the posts, in percent (BENCH_REPEAT_PERCENT 20, BENCH_RESOLVE_PERCENT 10). */
  repeatPercent: number;
  resolvePercent: number;
  /** The ticket queue's activity slots (BENCH_WORKER_ACTIVITIES; unset: the engine's default). */
  workerActivities?: number;
  /** How long to wait for every event to settle once the load stops (BENCH_SETTLE_SECONDS, 900). */
  settleSeconds: number;
  /** Batches of 500 reports in the batch phase (BENCH_BATCHES, default 20; 0 skips it). */
  batches: number;
  /** Seconds of each step of the step load (BENCH_STEP_SECONDS, default 30; 0 skips it). */
  stepSeconds: number;
  /**
   * Customers of the billing tenant whose first sync (bench:billing's phase (a)) runs beside a
   * ticket load (BENCH_BILLING_CUSTOMERS, default 1,000; 0 skips the comparison).
   */
  billingCustomers: number;
  /** Open tickets a technician closes in the two-way phase (BENCH_CLOSES, default 200; 0 skips). */
  closes: number;
  /** Worker processes (BENCH_WORKERS, default 1) and API processes (BENCH_APIS, default 1). */
  workers: number;
  apis: number;
}

export function ticketOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TicketBenchOptions {
  const opts: TicketBenchOptions = {
    rate: envInt('BENCH_RATE', 50, env),
    seconds: envInt('BENCH_SECONDS', 60, env),
    customers: envInt('BENCH_CUSTOMERS', 200, env),
    latencyMs: envInt('BENCH_LATENCY_MS', 100, env),
    repeatPercent: envInt('BENCH_REPEAT_PERCENT', 20, env),
    resolvePercent: envInt('BENCH_RESOLVE_PERCENT', 10, env),
    settleSeconds: envInt('BENCH_SETTLE_SECONDS', 900, env),
    batches: envInt('BENCH_BATCHES', 20, env),
    stepSeconds: envInt('BENCH_STEP_SECONDS', 30, env),
    billingCustomers: envInt('BENCH_BILLING_CUSTOMERS', 1000, env),
    closes: envInt('BENCH_CLOSES', 200, env),
    workers: envInt('BENCH_WORKERS', 1, env),
    apis: envInt('BENCH_APIS', 1, env),
  };
  const activities = envInt('BENCH_WORKER_ACTIVITIES', 0, env);
  if (activities > 0) Object.assign(opts, { workerActivities: activities });
  if (opts.rate < 1 || opts.seconds < 1 || opts.customers < 1)
    throw new Error('BENCH_RATE, BENCH_SECONDS and BENCH_CUSTOMERS must be at least 1');
  if (opts.repeatPercent + opts.resolvePercent > 100)
    throw new Error('BENCH_REPEAT_PERCENT + BENCH_RESOLVE_PERCENT must be at most 100');
  return opts;
}

/** The demo seed's Security board settings. */
export const TICKET_SETTINGS = DEMO_TICKET_SETTINGS;

export interface TicketBench {
  opts: TicketBenchOptions;
  servers: Servers;
  /** The (first) API process's origin. */
  apiUrl: string;
  /** Every API process's origin (BENCH_APIS). */
  apiUrls: string[];
  partnerId: string;
  integrationId: string;
  /** A partner token for the API. */
  token: string;
  customerIds: string[];
  /** The billing tenant beside the tickets' (bench/billing/setup.ts), when asked for. */
  billing?: BillingBench;
  close(): Promise<void>;
}

export const customerIdOf = (i: number): string => `bench-${String(i).padStart(5, '0')}`;

export async function startTicketBench(opts: TicketBenchOptions): Promise<TicketBench> {
  const billingOpts = {
    customers: opts.billingCustomers,
    naiveCustomers: 0,
    latencyMs: opts.latencyMs,
    concurrency: 10,
    workers: opts.workers,
  };
  const servers = await startServers({
    taskQueue: 'bench-tickets',
    // The billing bench's simulator is the demo seed plus the billing tenant's companies.
    simulator:
      opts.billingCustomers > 0
        ? billingSimulator(billingOpts)
        : () => startSimulatorChild(resolve(__dirname, '..', 'common', 'demo-sim.ts')),
    api: true,
    workers: opts.workers,
    apis: opts.apis,
    engineEnv: {
      ...(opts.workerActivities
        ? { TICKET_WORKER_MAX_ACTIVITIES: String(opts.workerActivities) }
        : {}),
      // Profiling the engine's processes, e.g. `--require ./profile.js` (both take it).
      ...(process.env.BENCH_ENGINE_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_ENGINE_NODE_OPTIONS }
        : {}),
      // Trying a setting: BENCH_ENGINE_ENV=WORKER_MAX_CACHED_WORKFLOWS=2500,… (both take it).
      ...Object.fromEntries(
        (process.env.BENCH_ENGINE_ENV ?? '')
          .split(',')
          .filter(Boolean)
          .map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1)]),
      ),
    },
  });
  try {
    const { repos, sim, api } = servers;
    if (!api) throw new Error('the API process did not start');
    const { partnerId, integrationId } = await createBenchIntegration(servers);
    const customerIds = Array.from({ length: opts.customers }, (_, i) => customerIdOf(i));
    await step(`tenant: ${opts.customers} customers, each mapped to its own company`, async () => {
      const { firstId } = await sim.admin.seed.companies(opts.customers);
      await mapCustomers(
        repos,
        { partnerId, integrationId },
        customerIds.map((customerId, i) => ({
          customerId,
          name: `Bench customer ${i}`,
          companyId: firstId + i,
        })),
      );
      await repos.integrations.update(partnerId, integrationId, {
        ticketSettings: { ...TICKET_SETTINGS },
      });
    });
    const { token } = await repos.tokens.create({ kind: 'partner', partnerId, name: 'bench' });
    const billing =
      opts.billingCustomers > 0 ? await seedBillingTenant(servers, billingOpts) : undefined;
    return {
      ...(billing ? { billing } : {}),
      opts,
      servers,
      apiUrl: api.url,
      apiUrls: servers.apis.map((a) => a.url),
      partnerId,
      integrationId,
      token,
      customerIds,
      close: () => servers.close(),
    };
  } catch (err) {
    await servers.close();
    throw err;
  }
}
