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
  /** The worker's activity slots (BENCH_WORKER_ACTIVITIES; unset: the engine's default). */
  workerActivities?: number;
  /** How long to wait for every event to settle once the load stops (BENCH_SETTLE_SECONDS, 900). */
  settleSeconds: number;
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
  /** The API process's origin. */
  apiUrl: string;
  partnerId: string;
  integrationId: string;
  /** A partner token for the API. */
  token: string;
  customerIds: string[];
  close(): Promise<void>;
}

export const customerIdOf = (i: number): string => `bench-${String(i).padStart(5, '0')}`;

export async function startTicketBench(opts: TicketBenchOptions): Promise<TicketBench> {
  const servers = await startServers({
    taskQueue: 'bench-tickets',
    simulator: () => startSimulatorChild(resolve(__dirname, '..', 'common', 'demo-sim.ts')),
    api: true,
    ...(opts.workerActivities
      ? { engineEnv: { SYNC_WORKER_MAX_ACTIVITIES: String(opts.workerActivities) } }
      : {}),
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
    return {
      opts,
      servers,
      apiUrl: api.url,
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
