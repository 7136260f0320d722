/**
 * `npm run bench:api` (issue 20): the API as a vendor portal uses it, on the whole local stack
 * (dev/stack.ts: Temporal, FerretDB on PostgreSQL, the simulator, the worker and the API in their
 * own processes, as `npm run dev` runs them).
 *
 * 1. **Bulk push:** BENCH_API_CUSTOMERS (10,000) customers pushed to a partner of their own
 *    (`PUT …/customers`, 5,000 a request), then each one's usage of the two demo products
 *    (`PUT …/customers/{id}/usage`, BENCH_API_PUSH_CONCURRENCY at once, 16): wall time, answer
 *    p50 / p99, errors, and the API process's memory before and at its peak.
 * 2. **Reads a portal polls**, as the demo partner (a few customers, 400 ticket events, its sync
 *    runs), spread evenly over six routes: status, sync runs, tickets, company mappings, health
 *    issues, billing coverage. An open loop (bench/common/open-loop.ts): each route's requests
 *    evenly spaced, latency from the moment each was due. At BENCH_API_RATES (100,150) and
 *    BENCH_API_RATE (200, the target) requests/s in all, each for BENCH_API_SECONDS (60) after
 *    BENCH_API_WARMUP_SECONDS (10) of the same load unmeasured. Per route: p50, p99, max, errors,
 *    the slowest answers and when they came; per process of the stack: CPU per answer. Target at
 *    BENCH_API_RATE: p99 ≤ 25 ms for every route answered from the database; the status route
 *    also asks Temporal for the lifecycle workflow's state, and is reported, not judged.
 *    BENCH_API_PROFILE=<file> runs the API under V8's profiler and sums its self time.
 *
 * BENCH_STRICT=1 exits 1 on a FAIL.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { discardLines } from '../dev/managed';
import { startStack, type Stack } from '../dev/stack';
import { cpuSecondsByRole, readProcStatus } from './common/children';
import { machine, quiet } from './common/machine';
import { mb } from './common/memory';
import { runOpenLoops } from './common/open-loop';
import { summarizeProfile } from './common/profile-summary';
import { printVerdict, runBench } from './common/run';
import { seconds, table } from './common/table';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const CUSTOMERS = env('BENCH_API_CUSTOMERS', 10_000);
const PUSH_CONCURRENCY = env('BENCH_API_PUSH_CONCURRENCY', 16);
/** The target rate (judged), and the rates measured (reported; the target among them). */
const RATE = env('BENCH_API_RATE', 200);
const RATES = [
  ...new Set([...(process.env.BENCH_API_RATES ?? '100,150').split(',').map(Number), RATE]),
].sort((a, b) => a - b);
const SECONDS = env('BENCH_API_SECONDS', 60);
const WARMUP_SECONDS = env('BENCH_API_WARMUP_SECONDS', 10);
/** Database routes must answer within this at the 99th percentile. */
const P99_LIMIT_MS = 25;
const SKUS = ['DFX-BROWSER-SEAT', 'DFX-DLP-SEAT'];

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

interface Push {
  wallMs: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  rssBefore: number | undefined;
  rssAfter: number | undefined;
  hwm: number | undefined;
}

async function pushInBulk(stack: Stack): Promise<Push> {
  // A partner of its own (the stack's second, with vendor data only): the reads below are the
  // demo partner's, a partner of a few customers, events and runs.
  const { partnerId, token } = stack.fresh;
  const base = `${stack.apiUrl}/v1/partners/${partnerId}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const send = async (method: string, path: string, body: unknown): Promise<number> => {
    const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  };
  const ids = Array.from(
    { length: CUSTOMERS },
    (_, i) => `bench-cust-${String(i).padStart(5, '0')}`,
  );
  const rssBefore = readProcStatus(stack.apiPid)?.VmRSS;
  const latencies: number[] = [];
  let errors = 0;
  const timed = async (method: string, path: string, body: unknown) => {
    const started = performance.now();
    const status = await send(method, path, body).catch(() => 0);
    latencies.push(performance.now() - started);
    if (status !== 200) errors += 1;
  };
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 5_000)
    await timed('PUT', '/customers', {
      customers: ids.slice(i, i + 5_000).map((customerId, j) => ({
        customerId,
        name: `Bench customer ${i + j}`,
      })),
    });
  const limit = pLimit(PUSH_CONCURRENCY);
  const asOf = new Date().toISOString();
  await Promise.all(
    ids.map((id, i) =>
      limit(() =>
        timed('PUT', `/customers/${id}/usage`, {
          asOf,
          usage: SKUS.map((sku, k) => ({ sku, quantity: 1 + ((i * 7 + k * 13) % 250) })),
        }),
      ),
    ),
  );
  const wallMs = performance.now() - started;
  const sorted = latencies.sort((a, b) => a - b);
  const after = readProcStatus(stack.apiPid);
  return {
    wallMs,
    requests: latencies.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    rssBefore,
    rssAfter: after?.VmRSS,
    hwm: after?.VmHWM,
  };
}

/** Gives the read routes something to list: ticket events, and a billing run. */
async function seedReads(stack: Stack): Promise<void> {
  const { partnerId, token } = stack.demo;
  const base = `${stack.apiUrl}/v1/partners/${partnerId}/connectwise`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const now = Date.now();
  const customers = ['dfx-cust-acme', 'dfx-cust-globex', 'dfx-cust-initech', 'dfx-cust-umbrella'];
  for (let batch = 0; batch < 4; batch++) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      key: `bench-api-${batch}-${i}`,
      customerId: customers[i % customers.length],
      title: 'Phishing site blocked',
      severity: 'medium',
      description: 'A user opened a known phishing page; DefensX blocked it.',
      occurredAt: new Date(now - (batch * 100 + i) * 1000).toISOString(),
    }));
    const res = await fetch(`${base}/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ events }),
    });
    if (res.status !== 202) throw new Error(`seeding events: ${res.status} ${await res.text()}`);
  }
  const sync = await fetch(`${base}/synchronize`, { method: 'POST', headers, body: '{}' });
  if (sync.status >= 300) throw new Error(`synchronize: ${sync.status} ${await sync.text()}`);
}

interface RouteFigures {
  name: string;
  path: string;
  fromDatabase: boolean;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  errorStatuses: Record<number, number>;
  slowest: Array<{ dueMs: number; ms: number }>;
}

const ROUTES = [
  { name: 'status', path: '/connectwise/status', fromDatabase: false },
  { name: 'sync runs', path: '/connectwise/sync-runs', fromDatabase: true },
  { name: 'tickets', path: '/connectwise/tickets', fromDatabase: true },
  { name: 'company mappings', path: '/connectwise/company-mappings', fromDatabase: true },
  { name: 'health issues', path: '/connectwise/health-issues', fromDatabase: true },
  { name: 'billing coverage', path: '/connectwise/billing/coverage', fromDatabase: true },
];

/** Which part of the stack a process is, from its command line (see dev/stack.ts). */
function roleOf(commandLine: string): string | undefined {
  if (commandLine.includes('api/main.ts') || commandLine.includes('profiled.ts')) return 'API';
  if (commandLine.includes('worker/main.ts')) return 'worker';
  // Before FerretDB: PostgreSQL's cluster and database are named after it.
  if (commandLine.startsWith('postgres') || commandLine.includes('/bin/postgres'))
    return 'PostgreSQL';
  if (commandLine.includes('ferretdb')) return 'FerretDB';
  if (commandLine.includes('temporal')) return 'Temporal dev server';
  if (commandLine.includes('open-loop.ts')) return undefined; // the load: measured by itself
  if (commandLine.includes('bench/api.ts')) return 'the simulator (in the bench process)';
  return undefined;
}

/** A sample of the API's /metrics: its event loop's worst delay since the last one, GC so far. */
async function apiLoopSample(url: string): Promise<{ lagMaxMs: number; gcSeconds: number }> {
  const text = await (await fetch(url)).text();
  const value = (re: RegExp) => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
  return {
    lagMaxMs: 1000 * value(/^cw_engine_nodejs_eventloop_lag_max_seconds (\S+)$/gm),
    gcSeconds: value(/^cw_engine_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm),
  };
}

/**
 * Samples the API's event loop and GC every second while `during` runs: the worst seconds, when
 * they came (seconds after `startedAt`), their loop delay and the GC time in them.
 */
async function sampleApiLoop<T>(
  url: string,
  during: Promise<T>,
  startedAt: () => number | undefined,
): Promise<{ result: T; worst: Array<{ at: number; lagMaxMs: number; gcMs: number }> }> {
  const samples: Array<{ at: number; lagMaxMs: number; gcMs: number }> = [];
  let done = false;
  const sampler = (async () => {
    let last = await apiLoopSample(url);
    for (let i = 0; !done && i < 3_600; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await apiLoopSample(url);
      const start = startedAt();
      if (start !== undefined)
        samples.push({
          at: (performance.now() - start) / 1000,
          lagMaxMs: now.lagMaxMs,
          gcMs: 1000 * (now.gcSeconds - last.gcSeconds),
        });
      last = now;
    }
  })();
  try {
    return { result: await during, worst: samples.sort((a, b) => b.lagMaxMs - a.lagMaxMs) };
  } finally {
    done = true;
    await sampler;
  }
}

async function pollReads(
  stack: Stack,
  rate: number,
): Promise<{
  routes: RouteFigures[];
  cpu: Map<string, number>;
  ownDelay: { p99: number; max: number };
  apiWorst: Array<{ at: number; lagMaxMs: number; gcMs: number }>;
}> {
  const { partnerId, token } = stack.demo;
  let before = new Map<string, number>();
  let measuredFrom: number | undefined;
  // Unmeasured first: the connections a steady load keeps open are opened (each new
  // connection to FerretDB authenticates with SCRAM, two at a time per pool: a couple of
  // seconds from cold).
  const load = runOpenLoops(
    ROUTES.map((route, i) => ({
      url: `${stack.apiUrl}/v1/partners/${partnerId}${route.path}`,
      headers: { authorization: `Bearer ${token}` },
      ratePerSecond: rate / ROUTES.length,
      phase: i / ROUTES.length,
    })),
    {
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      onMeasuring: () => {
        before = cpuSecondsByRole([process.pid], roleOf);
        measuredFrom = performance.now();
      },
    },
  );
  const {
    result: { figures, ownDelay, cpuSeconds },
    worst: apiWorst,
  } = await sampleApiLoop(stack.metricsUrls!.api, load, () => measuredFrom);
  const routes = ROUTES.map((route, i) => {
    const { latencies, errors, errorStatuses, slowest } = figures[i]!;
    return {
      ...route,
      requests: latencies.length,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      errors,
      errorStatuses,
      slowest,
    };
  });
  const after = cpuSecondsByRole([process.pid], roleOf);
  const cpu = new Map([...after].map(([role, s]) => [role, s - (before.get(role) ?? 0)]));
  cpu.set('the load (its own process)', cpuSeconds);
  return { routes, cpu, ownDelay, apiWorst };
}

/** One rate's reads and their tables; whether every database route met the limit, errorless. */
async function reportReads(stack: Stack, rate: number, judged: boolean): Promise<boolean> {
  console.log(
    `\nreads: ${rate} requests/s in all for ${SECONDS} s (after ${WARMUP_SECONDS} s unmeasured), ${(rate / ROUTES.length).toFixed(1)}/s on each of ${ROUTES.length} routes at once${judged ? ' (the target rate)' : ''}`,
  );
  const { routes: reads, cpu, ownDelay, apiWorst } = await pollReads(stack, rate);
  let allPass = true;
  const rows = reads.map((r) => {
    const pass = r.errors === 0 && (!r.fromDatabase || r.p99 <= P99_LIMIT_MS);
    if (!pass) allPass = false;
    return [
      `${r.name} (GET …${r.path})`,
      r.fromDatabase ? 'database' : 'database + Temporal query',
      String(r.requests),
      ms(r.p50),
      ms(r.p99),
      ms(r.max),
      r.errors === 0
        ? '0'
        : `${r.errors} (${Object.entries(r.errorStatuses)
            .map(([status, n]) => `${status === '0' ? 'no answer' : status}: ${n}`)
            .join(', ')})`,
      r.fromDatabase ? `≤ ${P99_LIMIT_MS} ms` : '(reported)',
      pass ? 'PASS' : 'FAIL',
    ];
  });
  console.log(
    table(
      ['route', 'answered from', 'requests', 'p50', 'p99', 'max', 'errors', 'p99 limit', 'result'],
      rows,
    ),
  );
  console.log(
    `\nthe load's own event-loop delay (part of every latency it reads): p99 ${ms(ownDelay.p99)}, max ${ms(ownDelay.max)}`,
  );
  console.log(
    `the API's worst seconds (its /metrics each second: seconds into the load: the event loop's longest delay, GC time in that second): ${apiWorst
      .slice(0, 5)
      .map((w) => `${w.at.toFixed(0)} s: ${ms(w.lagMaxMs)}, GC ${ms(w.gcMs)}`)
      .join('; ')}`,
  );
  console.log('the slowest answers of each route (seconds into the load: latency)');
  for (const r of reads)
    console.log(
      `  ${r.name}: ${r.slowest.map((x) => `${(x.dueMs / 1000).toFixed(1)} s: ${ms(x.ms)}`).join(', ')}`,
    );
  const answered = reads.reduce((sum, r) => sum + r.requests, 0);
  const total = [...cpu.values()].reduce((sum, s) => sum + s, 0);
  console.log(
    `\nCPU while polling, by process (from /proc; ${answered} answers in ${SECONDS} s, ${(total / SECONDS).toFixed(2)} of ${availableParallelism()} cores busy)`,
  );
  console.log(
    table(
      ['process', 'CPU seconds', 'share of one core', 'CPU per answer'],
      [...cpu]
        .sort((a, b) => b[1] - a[1])
        .map(([role, s]) => [
          role,
          s.toFixed(1),
          `${((100 * s) / SECONDS).toFixed(0)}%`,
          ms((1000 * s) / answered),
        ]),
    ),
  );
  return allPass;
}

async function main(): Promise<void> {
  console.log('API benchmark (issue 20)\n');
  console.log(machine());
  console.log('\nsetup: the local stack (ephemeral)');
  const setupStarted = performance.now();
  // BENCH_API_PROFILE=<file>: the API runs under V8's profiler and its self time is summed below.
  const profile = process.env.BENCH_API_PROFILE;
  const stack = await startStack({
    ephemeral: true,
    log: discardLines,
    // The API's own event-loop delay and GC time, sampled while polling (apiStalls).
    metrics: true,
    // Production's log format (the dev stack's default is pino-pretty, in each process).
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      ...(profile && { CPU_PROFILE_ENTRY: 'api/main.ts', CPU_PROFILE_FILE: profile }),
    },
    ...(profile && { entries: { api: 'bench/common/profiled.ts' } }),
  });
  console.log(`  started: ${seconds(performance.now() - setupStarted)}`);
  let failed = 0;
  try {
    console.log(`  quiet after ${(await quiet()).toFixed(0)} s`);
    console.log(
      `\nbulk push: ${CUSTOMERS} customers, then each one's usage of ${SKUS.length} products, ${PUSH_CONCURRENCY} at once`,
    );
    const push = await pushInBulk(stack);
    const mem = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : mb(bytes));
    console.log(
      table(
        [
          'requests',
          'wall time',
          'answers/s',
          'p50',
          'p99',
          'errors',
          'API RSS before → after (peak)',
        ],
        [
          [
            String(push.requests),
            seconds(push.wallMs),
            (push.requests / (push.wallMs / 1000)).toFixed(0),
            ms(push.p50),
            ms(push.p99),
            String(push.errors),
            `${mem(push.rssBefore)} → ${mem(push.rssAfter)} (${mem(push.hwm)})`,
          ],
        ],
      ),
    );
    if (push.errors > 0) failed += 1;
    await seedReads(stack);
    console.log(`\n  quiet after ${(await quiet()).toFixed(0)} s`);
    const passedAt: number[] = [];
    for (const rate of RATES) {
      const judged = rate === RATE;
      const pass = await reportReads(stack, rate, judged);
      if (pass) passedAt.push(rate);
      if (judged && !pass) failed += 1;
    }
    console.log(
      `\nrates at which every database route answered within p99 ≤ ${P99_LIMIT_MS} ms without errors: ${passedAt.join(', ') || 'none'} (of ${RATES.join(', ')} requests/s)`,
    );
  } finally {
    await stack.stop();
  }
  if (profile) {
    console.log(`\nthe API's CPU profile (${profile}): self time by package or engine folder`);
    for (const { where, share } of summarizeProfile(profile))
      console.log(`  ${(100 * share).toFixed(1).padStart(5)}%  ${where}`);
  }
  printVerdict(failed);
}

runBench(main);
