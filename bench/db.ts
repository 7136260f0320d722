/**
 * bench:db (issue 17): the API's list and status routes against FerretDB's two backends, side by
 * side in one run, at the sizes a vendor reaches. Per partner: 20,000 ticket rows, 5,000 sync
 * runs, 50,000 billing changes, 1,000 customers (and their company mappings); 20 partners.
 *
 * For each backend: the engine's API in its own process (compiled, as production starts it) on
 * its own FerretDB, one partner's rows seeded, each route measured alone (sequential requests);
 * on PostgreSQL then at 100 requests/s (autocannon, fixed rate), then the 19 other partners'
 * rows seeded and the first partner measured again: its list time must not grow with the others'
 * volume (the ratio is printed). SQLite scans the whole collection for any filter but `_id`, so it
 * is measured with one partner's rows only, alone, with few requests: the full size would take
 * minutes per request there.
 *
 *   npm run bench:db                     # PARTNERS=20 (default); BENCH_DB_SCALE=0.1 for a quick look
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Connection } from 'mongoose';
import { connectDatabase, createRepositories, type Repositories } from '../db';
import { pageKeyOf } from '../db/page';
import { discardLines } from '../dev/managed';
import { freePort } from '../dev/ports';
import {
  startFerretDb,
  startTemporalDevServer,
  type FerretDb,
  type FerretDbBackend,
} from '../dev/processes';
import { keyringFromConfig } from '../security';
import { sealPrivateKey } from '../services/integration-client';
import { loadConfig } from '../config';
import { DEMO_CREDENTIALS } from '../simulator';
import { machine, machineCpu, quiet } from './common/machine';
import { printVerdict, runBench } from './common/run';
import { prepareWorkerEntry, startApiChild, type WorkerEntry } from './common/engine-process';
import { table } from './common/table';
import { cpuSecondsOf } from './common/children';
import { readdirSync, readFileSync } from 'node:fs';

const SCALE = Number(process.env.BENCH_DB_SCALE ?? 1);
const PARTNERS = Number(process.env.PARTNERS ?? 20);
const PER_PARTNER = {
  tickets: Math.round(20_000 * SCALE),
  syncRuns: Math.round(5_000 * SCALE),
  billingChanges: Math.round(50_000 * SCALE),
  customers: Math.round(1_000 * SCALE),
};
const ALONE_REQUESTS = { postgresql: 200, sqlite: 5 } as const;
const RATE = 100;
const RATE_SECONDS = 10;
const TARGET_ALONE_P99_MS = 25;
const TARGET_RATE_P99_MS = 100;
const TARGET_GROWTH = 1.5;

interface Partner {
  partnerId: string;
  integrationId: string;
  token: string;
}

const BATCH = 2_000;

async function insertAll(conn: Connection, collection: string, docs: Iterable<object>) {
  let batch: object[] = [];
  for (const doc of docs) {
    batch.push(doc);
    if (batch.length === BATCH) {
      await conn.collection(collection).insertMany(batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length) await conn.collection(collection).insertMany(batch, { ordered: false });
}

const STATES = ['open', 'resolved', 'closed_in_connectwise', 'skipped'] as const;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** One partner's rows, shaped as the repositories write them (db/models). */
async function seedPartner(conn: Connection, p: Partner): Promise<void> {
  const { partnerId, integrationId } = p;
  const customer = (i: number) => `cust-${i % PER_PARTNER.customers}`;
  await insertAll(
    conn,
    'vendorCustomers',
    (function* () {
      for (let i = 0; i < PER_PARTNER.customers; i++)
        yield {
          _id: `${partnerId}/cust-${i}`,
          partnerId,
          customerId: `cust-${i}`,
          name: `Customer ${String(i).padStart(5, '0')}`,
        };
    })(),
  );
  await insertAll(
    conn,
    'companymappings',
    (function* () {
      for (let i = 0; i < PER_PARTNER.customers; i++)
        yield {
          _id: `${partnerId}/${integrationId}/cust-${i}`,
          partnerId,
          integrationId,
          customerId: `cust-${i}`,
          companyId: 1000 + i,
        };
    })(),
  );
  await insertAll(
    conn,
    'ticketEvents',
    (function* () {
      for (let i = 0; i < PER_PARTNER.tickets; i++) {
        const _id = `${partnerId}/${integrationId}/evt-${i}`;
        const lastSeen = new Date(T0 + i * 60_000);
        yield {
          _id,
          partnerId,
          integrationId,
          key: `evt-${i}`,
          customerId: customer(i),
          title: `Blocked a phishing page for user ${i}`,
          severity: 'high',
          category: 'phishing',
          url: null,
          state: STATES[i % STATES.length],
          reason: null,
          generation: 1,
          beganBy: null,
          ticketId: 10_000 + i,
          summary: `DefensX: phishing blocked (${i})`,
          occurrences: 1 + (i % 7),
          firstSeen: lastSeen,
          lastSeen,
          notes: 0,
          resolvedAt: null,
          updatedAt: lastSeen,
          pageKey: pageKeyOf(lastSeen, _id),
        };
      }
    })(),
  );
  await insertAll(
    conn,
    'syncruns',
    (function* () {
      for (let i = 0; i < PER_PARTNER.syncRuns; i++) {
        const startedAt = new Date(T0 + i * 3_600_000);
        const runKey = `billing-run:${integrationId}:${i}`;
        yield {
          partnerId,
          integrationId,
          kind: i % 5 === 0 ? 'validation' : 'billing',
          trigger: 'schedule',
          workflowId: runKey,
          runId: randomBytes(8).toString('hex'),
          runKey,
          startedAt,
          endedAt: new Date(startedAt.getTime() + 30_000),
          outcome: 'succeeded',
          summary: '1000 agreements: 1000 in sync; 12 update',
          changes: [],
          counts: { update: 12, agreements: { total: 1000, succeeded: 1000 } },
          pageKey: pageKeyOf(startedAt, runKey),
          createdAt: startedAt,
          updatedAt: startedAt,
        };
      }
    })(),
  );
  await insertAll(
    conn,
    'billingChanges',
    (function* () {
      for (let i = 0; i < PER_PARTNER.billingChanges; i++) {
        const at = new Date(T0 + i * 60_000);
        const runKey = `billing-run:${integrationId}:${Math.floor(i / 10)}`;
        const _id = `${partnerId}/${integrationId}/${runKey}/${300 + (i % 1000)}/sku-${i % 5}/u`;
        yield {
          _id,
          partnerId,
          integrationId,
          runKey,
          trigger: 'schedule',
          customerId: customer(i),
          agreementId: 300 + (i % 1000),
          sku: `sku-${i % 5}`,
          additionId: 5000 + i,
          action: 'update',
          from: { quantity: i % 40 },
          to: { quantity: (i % 40) + 1 },
          outcome: 'applied',
          message: null,
          date: '2026-01-01',
          at,
          pageKey: pageKeyOf(at, _id),
        };
      }
    })(),
  );
}

interface Route {
  name: string;
  path: (p: Partner) => string;
}

const base = (p: Partner) => `/v1/partners/${p.partnerId}/connectwise`;
const ROUTES: Route[] = [
  { name: 'GET …/tickets', path: (p) => `${base(p)}/tickets` },
  { name: 'GET …/tickets?state=open', path: (p) => `${base(p)}/tickets?state=open` },
  { name: 'GET …/tickets?customerId=', path: (p) => `${base(p)}/tickets?customerId=cust-7` },
  { name: 'GET …/sync-runs', path: (p) => `${base(p)}/sync-runs` },
  { name: 'GET …/sync-runs?kind=billing', path: (p) => `${base(p)}/sync-runs?kind=billing` },
  { name: 'GET …/billing/changes', path: (p) => `${base(p)}/billing/changes` },
  {
    name: 'GET …/billing/changes?customerId=',
    path: (p) => `${base(p)}/billing/changes?customerId=cust-7`,
  },
  { name: 'GET …/billing/approvals', path: (p) => `${base(p)}/billing/approvals` },
  { name: 'GET …/status', path: (p) => `${base(p)}/status` },
  // A set list (by customer id), at the histories' page size.
  {
    name: 'GET …/customers?pageSize=50',
    path: (p) => `/v1/partners/${p.partnerId}/customers?pageSize=50`,
  },
];

/** CPU seconds of every process in a process group (PostgreSQL's postmaster and its backends). */
function groupCpuSeconds(pgid: number | undefined): number {
  if (pgid === undefined) return 0;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // pgrp is the 5th field of the line, the 3rd after the command; utime, stime 14 and 15.
      if (Number(fields[2]) === pgid) total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

/** `n` sequential requests: p50 and p99 in ms; every answer must be 200. */
async function alone(url: string, token: string, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** What a load run measured: answer times, what was served, and the CPU spent meanwhile. */
interface LoadFigures {
  p50: number;
  p99: number;
  rate: number;
  errors: number;
  /** Share of the machine's CPU time busy meanwhile, and the load generator's own share. */
  machineBusy: number;
  generatorShare: number;
}

/** Runs autocannon instances at once, each started `staggerMs` after the previous one. */
async function loadRun(
  url: string,
  token: string,
  instances: number,
  options: { connections: number; overallRate: number; staggerMs: number },
): Promise<LoadFigures> {
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const times: number[] = [];
  let errors = 0;
  const runs = Array.from({ length: instances }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * options.staggerMs));
    let done!: (result: autocannon.Result) => void;
    let failed!: (err: unknown) => void;
    const finished = new Promise<autocannon.Result>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    const instance = autocannon(
      {
        url,
        headers: { authorization: `Bearer ${token}` },
        connections: options.connections,
        overallRate: options.overallRate,
        duration: RATE_SECONDS,
      },
      (err, result) => (err ? failed(err) : done(result)),
    );
    // Every answer's own time, as measured: autocannon's coordinated-omission correction takes
    // the interval between a connection's requests as ceil(1 / rate) = 1 ms (a fraction of a
    // second read as milliseconds) and adds a made-up sample for every millisecond of every
    // answer; the real interval (≥ 200 ms here) is one no answer comes near, so a correct
    // correction adds nothing.
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
      else errors += 1;
    });
    const result = await finished;
    errors += result.errors + result.timeouts;
  });
  await Promise.all(runs);
  const machineAfter = machineCpu();
  const self = process.cpuUsage(selfBefore);
  const elapsed = machineAfter.total - machineBefore.total;
  times.sort((a, b) => a - b);
  return {
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    rate: times.length / RATE_SECONDS,
    errors,
    machineBusy: elapsed > 0 ? (machineAfter.busy - machineBefore.busy) / elapsed : 0,
    generatorShare: (self.user + self.system) / 1e6 / RATE_SECONDS / availableParallelism(),
  };
}

/**
 * RATE requests/s spread evenly: RATE clients (autocannon instances of one connection at one
 * request/s), started 1000 / RATE ms apart, so a request leaves every 10 ms. The target.
 */
const spreadRate = (url: string, token: string) =>
  loadRun(url, token, RATE, { connections: 1, overallRate: 1, staggerMs: 1000 / RATE });

/**
 * RATE requests/s as autocannon's own rate limit sends them (informational): 20 connections each
 * sending its share back to back at the start of every second, i.e. RATE requests at once with 20
 * in flight, then nothing until the next second.
 */
const burstRate = (url: string, token: string) =>
  loadRun(url, token, 1, { connections: 20, overallRate: RATE, staggerMs: 0 });

const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;

const loadNote = (f: LoadFigures): string =>
  `${f.rate.toFixed(0)}/s served, ${f.errors} errors; machine ${pct(f.machineBusy)} busy, load generator ${pct(f.generatorShare)}`;

interface Stack {
  backend: FerretDbBackend;
  /** The API's environment (its encryption key seals the partners' keys). */
  env: Record<string, string>;
  ferret: FerretDb;
  conn: Connection;
  repos: Repositories;
  apiUrl: string;
  /** CPU seconds used so far by the API, FerretDB and PostgreSQL (all its processes). */
  cpu(): { api: number; ferretdb: number; postgres: number };
  stop(): Promise<void>;
}

async function startStack(
  backend: FerretDbBackend,
  dir: string,
  entry: WorkerEntry,
  temporalAddress: string,
): Promise<Stack> {
  const ferret = await startFerretDb({
    dataDir: join(dir, backend),
    backend,
    ephemeral: true,
    log: discardLines,
  });
  const env = {
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    MONGODB_URI: ferret.uri,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-db-${backend}`,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    // BENCH_API_NODE_OPTIONS=--cpu-prof: profile the API process (its working directory).
    ...(process.env.BENCH_API_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS }
      : {}),
  };
  const conn = await connectDatabase({ uri: ferret.uri });
  const repos = await createRepositories(conn);
  const api = await startApiChild(entry, env);
  return {
    backend,
    env,
    ferret,
    conn,
    repos,
    apiUrl: `http://127.0.0.1:${env.PORT}`,
    cpu: () => ({
      api: cpuSecondsOf(api.pid) ?? 0,
      ferretdb: cpuSecondsOf(ferret.process.pid) ?? 0,
      postgres: groupCpuSeconds(ferret.postgres?.process.pid),
    }),
    stop: async () => {
      await api.stop();
      await conn.close();
      await ferret.stop();
    },
  };
}

async function createPartners(stack: Stack, n: number) {
  const keyring = keyringFromConfig(loadConfig(stack.env));
  const partners: Partner[] = [];
  for (let i = 0; i < n; i++) {
    const partnerId = `bench-db-${i}`;
    const { id: integrationId } = await stack.repos.integrations.create({
      partnerId,
      site: 'https://na.myconnectwise.net',
      companyId: 'benchco',
      publicKey: 'bench-public',
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, 'bench-private'),
      codebase: 'v4_6_release/',
      isCloud: true,
    });
    const { token } = await stack.repos.tokens.create({
      kind: 'partner',
      partnerId,
      name: 'bench',
    });
    partners.push({ partnerId, integrationId, token });
  }
  return partners;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–');

async function main(): Promise<void> {
  console.log('database benchmark (issue 17)\n');
  console.log(machine());
  console.log(
    `\nper partner: ${PER_PARTNER.tickets} ticket rows, ${PER_PARTNER.syncRuns} sync runs, ${PER_PARTNER.billingChanges} billing changes, ${PER_PARTNER.customers} customers and mappings; ${PARTNERS} partners on PostgreSQL, 1 on SQLite\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-db-'));
  const temporal = await startTemporalDevServer({ headless: true, log: discardLines });
  const entry = await prepareWorkerEntry(dir);
  const rows: string[][] = [];
  const growthRows: string[][] = [];
  let failed = 0;
  const verdict = (ok: boolean) => {
    if (!ok) failed += 1;
    return ok ? 'PASS' : 'FAIL';
  };
  try {
    for (const backend of ['sqlite', 'postgresql'] as const) {
      const stack = await startStack(backend, dir, entry, temporal.address);
      try {
        const partners = await createPartners(stack, backend === 'sqlite' ? 1 : PARTNERS);
        const [first] = partners as [Partner];
        let t = performance.now();
        await seedPartner(stack.conn, first);
        console.log(
          `${backend}: one partner seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
        // PostgreSQL's autovacuum analyzes the new rows within seconds (dev/postgres.ts).
        await new Promise((r) => setTimeout(r, backend === 'postgresql' ? 15_000 : 0));
        console.log(`${backend}: quiet after ${(await quiet()).toFixed(0)} s`);
        const oneAlone = new Map<string, { p50: number; p99: number }>();
        for (const route of ROUTES) {
          const url = `${stack.apiUrl}${route.path(first)}`;
          const before = stack.cpu();
          const a = await alone(url, first.token, ALONE_REQUESTS[backend]);
          const after = stack.cpu();
          const perRequest = (k: keyof typeof before) =>
            `${(((after[k] - before[k]) * 1000) / ALONE_REQUESTS[backend]).toFixed(1)}`;
          oneAlone.set(route.name, a);
          rows.push([
            backend,
            '1',
            route.name,
            ms(a.p50),
            ms(a.p99),
            `${perRequest('api')} / ${perRequest('ferretdb')} / ${perRequest('postgres')}`,
            backend === 'postgresql' ? verdict(a.p99 <= TARGET_ALONE_P99_MS) : '(no target)',
          ]);
        }
        if (backend === 'postgresql') {
          t = performance.now();
          for (const p of partners.slice(1)) await seedPartner(stack.conn, p);
          console.log(
            `${backend}: ${partners.length - 1} more partners seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`,
          );
          // PostgreSQL vacuums and analyses after the bulk insert: wait until the machine is quiet.
          console.log(`${backend}: quiet after ${(await quiet()).toFixed(0)} s`);
          for (const route of ROUTES) {
            const url = `${stack.apiUrl}${route.path(first)}`;
            const a = await alone(url, first.token, ALONE_REQUESTS[backend]);
            const r = await spreadRate(url, first.token);
            const b = await burstRate(url, first.token);
            const before = oneAlone.get(route.name)!;
            const growth = a.p50 / before.p50;
            rows.push([
              backend,
              String(partners.length),
              route.name,
              ms(a.p50),
              ms(a.p99),
              '',
              verdict(a.p99 <= TARGET_ALONE_P99_MS),
            ]);
            rows.push([
              backend,
              String(partners.length),
              `${route.name} at ${RATE}/s spread (${loadNote(r)})`,
              ms(r.p50),
              ms(r.p99),
              '',
              verdict(r.p99 <= TARGET_RATE_P99_MS && r.errors === 0),
            ]);
            rows.push([
              backend,
              String(partners.length),
              `${route.name} at ${RATE}/s in bursts (${loadNote(b)})`,
              ms(b.p50),
              ms(b.p99),
              '',
              '(no target)',
            ]);
            growthRows.push([
              route.name,
              ms(before.p50),
              ms(a.p50),
              `${growth.toFixed(2)}×`,
              verdict(growth <= TARGET_GROWTH),
            ]);
          }
        }
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n## Each route: p50 and p99 of its answer time\n');
  console.log(
    `Targets on PostgreSQL: p99 ≤ ${TARGET_ALONE_P99_MS} ms alone, ≤ ${TARGET_RATE_P99_MS} ms at ${RATE} requests/s.\n`,
  );
  console.log(
    table(
      [
        'backend',
        'partners',
        'route',
        'p50',
        'p99',
        'CPU ms/request: API / FerretDB / PostgreSQL',
        'result',
      ],
      rows,
    ),
  );
  console.log(
    `\n## One partner's answer time with the other partners' rows (PostgreSQL), p50: ≤ ${TARGET_GROWTH}× with ${PARTNERS} partners\n`,
  );
  console.log(table(['route', '1 partner', `${PARTNERS} partners`, 'ratio', 'result'], growthRows));
  printVerdict(failed);
}

runBench(main);
