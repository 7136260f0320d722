/**
 * `npm run bench:tickets` (issue 9): security events through the real API process to the ticket
 * workflows, on a local Temporal dev server, the engine's worker in its own process (compiled, as
 * production starts it), FerretDB, and the ConnectWise simulator in a child process with a latency
 * rule on every request. The load (bench/tickets/load.ts): BENCH_RATE posts a second for
 * BENCH_SECONDS across BENCH_CUSTOMERS customers, each mapped to its own company; of the posts,
 * BENCH_REPEAT_PERCENT are repeats of open events and BENCH_RESOLVE_PERCENT resolves, the rest
 * new events. Then it waits until every event settles and prints: duplicate tickets, lost events,
 * event accepted → ticket created p50 / p99, ConnectWise calls by kind against the floor, the
 * posting rate achieved, and the worker process's RSS peak.
 *
 * Then (issue 18 §3) the intake's phases: BENCH_BATCHES batches of 500 reports (answer times, and
 * exactly one ticket and every report counted per key); a step load of new events at
 * BENCH_STEP_RATES (10…50/s, BENCH_STEP_SECONDS each; the highest rate whose accepted → created
 * p99 stays ≤ 10 s); and a 20/s step beside bench:billing's first sync of BENCH_BILLING_CUSTOMERS
 * (1,000) against the same step alone. Posts answered 429 are sent again after Retry-After.
 * BENCH_ENGINE_ENV (K=V,…) and BENCH_ENGINE_NODE_OPTIONS reach the engine's processes;
 * BENCH_TIMELINE=1 prints the mixed load's slowest answer per second for its first 15 seconds,
 * and per second a probe's slowest /healthz, database read and driver event-loop delay.
 *
 * Defaults: BENCH_RATE 50, BENCH_SECONDS 60, BENCH_CUSTOMERS 200, BENCH_LATENCY_MS 100,
 * BENCH_REPEAT_PERCENT 20, BENCH_RESOLVE_PERCENT 10, BENCH_SETTLE_SECONDS 900;
 * BENCH_WORKER_ACTIVITIES sets the worker's TICKET_WORKER_MAX_ACTIVITIES (unset: the engine's
 * default, 20). A quick run:
 * `BENCH_SECONDS=10 BENCH_RATE=20 npm run bench:tickets`. BENCH_STRICT=1 exits 1 on a FAIL;
 * BENCH_WORKER=tsx runs the worker and the API under tsx (no compile). BENCH_APIS and BENCH_WORKERS
 * (default 1 each) run more API and worker processes: the batches are dealt among the APIs.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { externalXRefOf, integrationTag } from '../domain/tickets/text';
import { cpuSecondsOf, peakRssMbOf } from './common/children';
import { POSTGRES } from './common/servers';
import { commandOf, withWorkerRss, workerMemoryOf } from './common/engine-process';
import { machine, quiet } from './common/machine';
import { printVerdict, runBench } from './common/run';
import { mb } from './common/memory';
import { seconds } from './common/table';
import { breakdownOf, breakdownTable, type Breakdown } from './tickets/breakdown';
import { runLoad, type LoadResult } from './tickets/load';
import {
  callsTable,
  createLatencies,
  floorOf,
  percentile,
  postFigures,
  postsTable,
  rateOf,
  alongsideText,
  batchesText,
  callbacksText,
  engineCpuPerEvent,
  intakeTargets,
  stepsTable,
  targetsOf,
  targetsTable,
  verify,
  type Verdict,
} from './tickets/report';
import { BATCH_SIZE, runBatches, type BatchFigures } from './tickets/batches';
import { runTechnicianCloses, type CallbackFigures } from './tickets/callbacks';
import { settle, type Outcome } from './tickets/settle';
import { runStep, runSteps, type StepFigures } from './tickets/steps';
import { runEnginePhase } from './billing/phases';
import { startTicketBench, ticketOptionsFromEnv, type TicketBench } from './tickets/setup';

type Cpu = Record<string, number | undefined>;

/** New events whose workflow history is read for the breakdown of accepted → created. */
const HISTORY_SAMPLE = 200;

const cpuNow = (bench: TicketBench): Cpu =>
  Object.fromEntries(
    Object.entries(bench.servers.pids).map(
      ([name, pid]) => [name, cpuSecondsOf(pid, name === POSTGRES)] as const,
    ),
  );

interface Measured {
  load: LoadResult;
  outcome: Outcome;
  /** Worker VmRSS sampled every 100 ms during load and settle, and VmHWM at its end. */
  workerSampledPeak: number | undefined;
  workerHwm: number | undefined;
  workerIdle: number | undefined;
  apiPeakMb: number | undefined;
  cpu: Cpu;
  wallMs: number;
  breakdown: Breakdown;
  batches?: BatchFigures;
  steps: StepFigures[];
  callbacks?: CallbackFigures;
  /** The same ticket step alone and beside billing's first sync, and that sync's wall time. */
  alongside?: { solo: StepFigures; withBilling: StepFigures; billingWallMs: number };
}

/** The rate of the step compared alone and beside a billing run. */
const ALONGSIDE_RATE = 20;

async function main(): Promise<void> {
  const opts = ticketOptionsFromEnv();
  console.log('ticket events benchmark (issue 9)\n');
  console.log(machine());
  console.log(
    `\n${opts.rate} posts/s for ${opts.seconds} s (${opts.rate * opts.seconds} posts) across ${opts.customers} customers, ` +
      `each mapped to its own ConnectWise company; ${opts.repeatPercent}% repeats of open events, ` +
      `${opts.resolvePercent}% resolves, the rest new events; ${opts.latencyMs} ms injected latency per ConnectWise request; ` +
      `ticket settings: board 2, source 4, New 201 → Resolved 203, note window 15 min\n`,
  );
  console.log('setup');
  const bench = await startTicketBench(opts);
  const { config } = bench.servers;
  console.log(
    `  worker: TICKET_WORKER_MAX_ACTIVITIES ${config.TICKET_WORKER_MAX_ACTIVITIES}${opts.workerActivities ? ' (BENCH_WORKER_ACTIVITIES)' : ' (the default)'}, ` +
      `WORKER_MAX_CACHED_WORKFLOWS ${config.WORKER_MAX_CACHED_WORKFLOWS}`,
  );
  let measured: Measured | undefined;
  try {
    const { sim, worker, api } = bench.servers;
    // PostgreSQL vacuums and analyses after the seeding's bulk inserts: the load starts on a
    // quiet machine (a run once had its first seconds' answers held ~5 s).
    console.log(`  quiet after ${(await quiet()).toFixed(0)} s`);
    const workerIdle = workerMemoryOf(worker.pid)?.rss;
    // After seeding: only the measured requests are slowed, and only they are counted.
    await sim.admin.faults.add({ kind: 'latency', ms: opts.latencyMs });
    await sim.admin.journal.clear();
    const cpuBefore = cpuNow(bench);
    const started = performance.now();
    console.log(`\nload: ${bench.apiUrl} (${commandOf(worker.entry, 'api')})`);
    const {
      value: { load, outcome },
      sampledPeak,
      hwm,
    } = await withWorkerRss(worker.pid, async () => {
      const died = Promise.race([worker.died(), api!.died()]);
      const probe = process.env.BENCH_TIMELINE ? startProbe(bench) : undefined;
      const load = await Promise.race([runLoad(bench), died]);
      probe?.stop();
      console.log(
        `  load done: ${load.posts.length} posts in ${seconds(load.lastSentMs)}; waiting for every event to settle`,
      );
      const outcome = await Promise.race([
        settle(bench, load.events, load.startedAt + load.lastAnsweredMs),
        died,
      ]);
      return { load, outcome };
    });
    const cpuAfter = cpuNow(bench);
    const wallMs = performance.now() - started;
    const withTicket = load.events.filter((e) => outcome.rows.get(e.key)?.ticketId != null);
    const breakdown = await breakdownOf(bench, withTicket, HISTORY_SAMPLE);
    let batches: BatchFigures | undefined;
    if (opts.batches > 0) {
      console.log(`\nbatches: ${opts.batches} × ${BATCH_SIZE} reports, one every 3 s`);
      batches = await runBatches(bench, opts.batches);
    }
    let steps: StepFigures[] = [];
    let alongside: Measured['alongside'];
    if (opts.stepSeconds > 0) {
      console.log(`\nstep load: new events only, ${opts.stepSeconds} s per step`);
      steps = await runSteps(bench, opts.stepSeconds);
    }
    let callbacks: CallbackFigures | undefined;
    if (opts.closes > 0) {
      console.log(`\ntwo-way: a technician closes ${opts.closes} open tickets, 20 a second`);
      callbacks = await runTechnicianCloses(bench, opts.closes);
    }
    if (opts.stepSeconds > 0) {
      if (bench.billing) {
        console.log(
          `\nbeside billing: ${ALONGSIDE_RATE} posts/s for ${opts.stepSeconds} s while ${opts.billingCustomers} customers' first sync runs`,
        );
        // Alone right before, not the step load's step of that rate: both at the state the
        // earlier phases left (thousands of open events' workflows, rows and histories), each
        // from a quiet machine (the earlier phases' work drained).
        console.log(`  quiet after ${(await quiet()).toFixed(0)} s`);
        const solo = await runStep(bench, ALONGSIDE_RATE, opts.stepSeconds, 'solo');
        console.log(`  quiet after ${(await quiet()).toFixed(0)} s`);
        const [billingRun, withBilling] = await Promise.all([
          runEnginePhase(bench.billing),
          runStep(bench, ALONGSIDE_RATE, opts.stepSeconds, 'bill'),
        ]);
        console.log(`  billing run: ${billingRun.result.outcome} in ${seconds(billingRun.wallMs)}`);
        alongside = { solo, withBilling, billingWallMs: billingRun.wallMs };
      }
    }
    measured = {
      steps,
      ...(callbacks ? { callbacks } : {}),
      ...(batches ? { batches } : {}),
      ...(alongside ? { alongside } : {}),
      load,
      outcome,
      workerSampledPeak: sampledPeak,
      workerHwm: hwm,
      workerIdle,
      apiPeakMb: peakRssMbOf(api?.pid),
      wallMs,
      breakdown,
      cpu: Object.fromEntries(
        Object.entries(cpuAfter).map(([name, after]) => {
          const before = cpuBefore[name];
          return [name, after === undefined || before === undefined ? undefined : after - before];
        }),
      ),
    };
  } finally {
    await bench.close();
  }
  if (measured) report(bench, measured);
}

/**
 * BENCH_TIMELINE's probe: every 100 ms during the mixed load, how long the API's /healthz (its
 * event loop), one indexed database read (FerretDB and PostgreSQL) and this process's own event
 * loop take, so slow answers can be placed.
 */
function startProbe(bench: TicketBench): { stop(): void } {
  const t0 = performance.now();
  const rows: Array<{ s: number; api: number; db: number; loop: number }> = [];
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let stopped = false;
  const timed = async (fn: () => Promise<unknown>) => {
    const a = performance.now();
    await fn();
    return performance.now() - a;
  };
  void (async () => {
    while (!stopped) {
      const s = Math.floor((performance.now() - t0) / 1000);
      const [api, db] = await Promise.all([
        timed(() => fetch(`${bench.apiUrl}/healthz`).then((r) => r.text())),
        timed(() =>
          bench.servers.conn
            .db!.collection('ticketEvents')
            .findOne({ integrationId: bench.integrationId, key: 'none' }),
        ),
      ]);
      rows.push({ s, api, db, loop: h.max / 1e6 });
      h.reset();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop() {
      stopped = true;
      for (let s = 0; s < 15; s++) {
        const at = rows.filter((r) => r.s === s);
        if (at.length === 0) continue;
        console.log(
          `  probe second ${s}: ${at.length} probes, /healthz max ${Math.round(Math.max(...at.map((r) => r.api)))} ms, db read max ${Math.round(Math.max(...at.map((r) => r.db)))} ms, driver loop delay max ${Math.round(Math.max(...at.map((r) => r.loop)))} ms`,
        );
      }
    },
  };
}

function report(bench: TicketBench, m: Measured): void {
  const { opts } = bench;
  const { load, outcome } = m;
  const verdict: Verdict = verify(
    load.events,
    outcome.rows,
    outcome.progress,
    outcome.tickets,
    outcome.notes,
    {
      of: (key) => externalXRefOf({ integrationId: bench.integrationId, key, generation: 0 }),
      prefix: `dfx:${integrationTag(bench.integrationId)}:`,
    },
  );
  const floor = floorOf(verdict);
  const rate = rateOf(load);
  const latency = createLatencies(load.events, outcome.rows);
  const kinds = postFigures(load.posts);
  console.log('\n## Results\n');
  console.log(postsTable(kinds));
  console.log(
    `\nposting: ${rate.sentPerSecond.toFixed(1)} posts/s sent (${load.posts.length} in ${seconds(load.lastSentMs)}; ` +
      `the latest post left ${Math.round(rate.lateMs)} ms after it was due), ` +
      `${rate.okPerSecond.toFixed(1)}/s answered 202 and accepted; at most ${load.maxInFlight} posts waiting for their answer at once`,
  );
  console.log(
    `settled: ${outcome.settleMs === undefined ? `NOT within ${opts.settleSeconds} s` : `${seconds(outcome.settleMs)} after the last answer`}; ` +
      `load and settle ${seconds(m.wallMs)}`,
  );
  console.log(
    `\nevents: ${verdict.events} new events accepted → ${verdict.created} tickets; ` +
      `${verdict.open} open, ${verdict.resolved} resolved and closed, ` +
      `${verdict.resolvedBeforeTicket} resolved before their ticket was created (recorded, no ticket), ` +
      `${verdict.skipped} skipped`,
  );
  console.log(
    `repeats: ${verdict.repeats} accepted; ${verdict.repeatsNoted} written in ${verdict.occurrenceNotes} occurrence notes ` +
      `(${verdict.flushes} flushed at a resolve), ${verdict.repeatsPending} pending in open events' 15-min windows; ` +
      `${verdict.resolutionNotes} resolution notes`,
  );
  console.log(
    `duplicates: ${verdict.duplicates.length} event keys with more than one ticket` +
      `${verdict.duplicates.length ? ` (${verdict.duplicates.slice(0, 5).join(', ')})` : ''}; ` +
      `${verdict.strayTickets} tickets of keys the bench never posted`,
  );
  console.log(`lost: ${verdict.lost.length}`);
  for (const l of verdict.lost.slice(0, 10)) console.log(`  - ${l.key}: ${l.why}`);
  const p = (values: number[], at: number) => `${Math.round(percentile(values, at))} ms`;
  console.log(
    `\nevent accepted (202) → ticket created (the row's write of the ticket id, after ConnectWise answered the POST), ` +
      `${latency.ms.length} events (${latency.leftOut} left out: resolved before created): ` +
      `p50 ${p(latency.ms, 50)}, p99 ${p(latency.ms, 99)}, max ${p(latency.ms, 100)} ` +
      `(floor: 2 calls × ${opts.latencyMs} ms); from the first post sent: ` +
      `p50 ${p(latency.fromPostMs, 50)}, p99 ${p(latency.fromPostMs, 99)}`,
  );
  console.log('\nWhere accepted → created goes (Temporal histories, spread over the load):\n');
  console.log(breakdownTable(m.breakdown));
  console.log('\n' + callsTable(outcome.calls, floor, verdict));
  console.log(
    `\nfloor: 1 lookup + 1 create per ticket; 1 marker lookup + 1 note per coalescing window ` +
      `(in a run shorter than the 15-min window, only the flush of pending repeats at a resolve); ` +
      `a resolve: GET ticket, GET statuses, note lookup + note, PATCH, GET ticket`,
  );
  console.log('\nCPU seconds during load and settle:');
  for (const [name, cpu] of Object.entries(m.cpu))
    console.log(`  ${name}: ${cpu === undefined ? 'n/a' : `${cpu.toFixed(1)} s`}`);
  console.log(
    `\nWorker process RSS (${commandOf(bench.servers.worker.entry, 'worker')}; from /proc/<pid>/status): ` +
      `idle after setup ${m.workerIdle === undefined ? 'n/a' : mb(m.workerIdle)}, ` +
      `peak VmRSS sampled every 100 ms ${m.workerSampledPeak === undefined ? 'n/a' : mb(m.workerSampledPeak)}, ` +
      `VmHWM at the end ${m.workerHwm === undefined ? 'n/a' : mb(m.workerHwm)}`,
  );
  console.log(
    `API process VmHWM (informational): ${m.apiPeakMb === undefined ? 'n/a' : `${m.apiPeakMb.toFixed(0)} MB`}`,
  );
  const targets = targetsOf({
    verdict,
    calls: outcome.calls,
    floor,
    rate: opts.rate,
    sentPerSecond: rate.sentPerSecond,
    posts: load.posts,
    settled: outcome.settleMs !== undefined,
  });
  const cpuPerEvent = engineCpuPerEvent(m.cpu, verdict.events);
  console.log(
    `\nengine CPU per new event (worker, Temporal, FerretDB, PostgreSQL, API over the mixed load and its settle): ${cpuPerEvent.toFixed(1)} ms`,
  );
  const answers = load.posts.flatMap((p) => p.answerMs);
  if (process.env.BENCH_TIMELINE) {
    const bySecond = new Map<number, number[]>();
    for (const p of load.posts) {
      const s = Math.floor(p.sentMs / 1000);
      bySecond.set(s, [...(bySecond.get(s) ?? []), p.answeredMs - p.sentMs]);
    }
    for (const [s, list] of [...bySecond].slice(0, 15))
      console.log(
        `  second ${s}: ${list.length} posts, slowest ${Math.round(Math.max(...list))} ms`,
      );
  }
  const throttled = load.posts.reduce((n, p) => n + p.throttled, 0);
  console.log(
    `every HTTP answer of the mixed load (${answers.length}, of them ${throttled} 429 waited out and sent again): p50 ${Math.round(percentile(answers, 50))} ms, p99 ${Math.round(percentile(answers, 99))} ms`,
  );
  if (m.batches) console.log('\n' + batchesText(m.batches));
  if (m.steps.length > 0) console.log('\n' + stepsTable(m.steps));
  if (m.callbacks) console.log('\n' + callbacksText(m.callbacks));
  if (m.alongside) console.log('\n' + alongsideText(m.alongside));
  targets.push(
    ...intakeTargets({
      rate: opts.rate,
      answers,
      cpuPerEvent,
      ...(m.batches ? { batches: m.batches } : {}),
      steps: m.steps,
      ...(m.callbacks ? { callbacks: m.callbacks } : {}),
      ...(m.alongside ? { alongside: m.alongside } : {}),
    }),
  );
  console.log('\n## Targets\n');
  console.log(targetsTable(targets));
  const failed = targets.filter((t) => !t.pass).length;
  printVerdict(failed);
}

runBench(main);
