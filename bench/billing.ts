/**
 * `npm run bench:billing` (issue 8): billing runs of the real workflow on a local Temporal dev
 * server, the engine's worker in its own process (started as production starts it: the compiled
 * worker/main.ts), FerretDB, and the ConnectWise simulator in a child process with a latency rule
 * on every request. Phases, side by side: (a) first sync, (b) a
 * no-change resync, (c) a resync with 10% of quantities changed, each beside a naive baseline
 * measured on a sample and scaled linearly; then (d) (issue 16, no naive baseline): 5% of the
 * customers moved to another agreement, 5% held by the safety valve, 2% with a hand-made
 * candidate, everyone else's usage changed, in one run (billing/changes.ts). Prints calls by kind,
 * wall times, the latency floor (for (d) its formula), the ratios and PASS/FAIL per target.
 *
 * BENCH_CUSTOMERS (1000), BENCH_LATENCY_MS (100), BENCH_NAIVE_CUSTOMERS (50): e.g.
 * `BENCH_CUSTOMERS=50 npm run bench:billing` for a quick smoke run. BENCH_STRICT=1 exits 1 on a FAIL.
 * BENCH_WORKER=tsx runs the worker process from the TypeScript sources under tsx (no compile).
 * BENCH_WORKERS=2 runs two worker processes on the task queues and prints each run's split.
 */
import { checkChanges, describeGroups, setUpChanges } from './billing/changes';
import { createNaive } from './billing/naive';
import { needsOf, runEnginePhase, type EngineRun } from './billing/phases';
import {
  callsTable,
  changeFloorFormula,
  changeTargets,
  floorOf,
  floorTable,
  naiveCallsTable,
  needsOfChanges,
  PHASE_TITLES,
  summaryTable,
  targetsOf,
  targetsTable,
  type NaiveFigures,
  type PhaseFigures,
  type PhaseKey,
} from './billing/report';
import { optionsFromEnv, startBench, type Bench } from './billing/setup';
import { changeShare, PRODUCTS } from './billing/tenant';
import { callTimingTable, cpuTable, timelineTable, type PhaseTimeline } from './billing/timeline';
import {
  commandOf,
  withWorkerRss,
  workerMemoryOf,
  type WorkerMemory,
} from './common/engine-process';
import { dbTable } from './common/ferretdb-metrics';
import { machine } from './common/machine';
import { printVerdict, runBench } from './common/run';
import { describeMemory, mb, withRssPeak, type Memory } from './common/memory';

interface WorkerPhaseMemory {
  key: PhaseKey;
  /** Highest VmRSS sampled every 100 ms during the engine run, in bytes. */
  sampledPeak: number | undefined;
  /** VmHWM at the end of the engine run: the peak since the worker process started. */
  hwm: number | undefined;
}

interface Measured {
  /** The bench process's own memory (the driver; the worker is another process). */
  peak?: Memory;
  idle?: Memory;
  stages: Array<{ stage: string; usage: Memory }>;
  /** The worker process, from /proc/<pid>/status. */
  workerStages: Array<{ stage: string; usage: WorkerMemory | undefined }>;
  workerPhases: WorkerPhaseMemory[];
  /** The worker process once the bench is done, before it is stopped. */
  workerLast?: WorkerMemory;
  timelines: PhaseTimeline[];
  problems: string[];
}

interface Expected {
  create?: number;
  update?: number;
}

/** The run's own counts against what the data says it had to do; a mismatch is printed. */
function check(key: PhaseKey, run: EngineRun, expected: Expected): string[] {
  const problems: string[] = [];
  if (run.result.outcome !== 'succeeded')
    problems.push(`${key}: outcome ${run.result.outcome}: ${run.result.summary}`);
  for (const action of ['create', 'update'] as const) {
    const got = run.result.counts[action] ?? 0;
    if (got !== (expected[action] ?? 0))
      problems.push(`${key}: ${got} ${action}, expected ${expected[action] ?? 0}`);
  }
  return problems;
}

/** One engine run, its worker memory and timeline recorded. */
async function measureEngine(bench: Bench, key: PhaseKey, measured: Measured): Promise<EngineRun> {
  console.log(`\n${PHASE_TITLES[key]}: engine…`);
  const {
    value: { value: run, peak },
    sampledPeak,
    hwm,
  } = await withWorkerRss(bench.worker.pid, () => withRssPeak(() => runEnginePhase(bench)));
  if (!measured.peak || peak.rss > measured.peak.rss) measured.peak = peak;
  measured.workerPhases.push({ key, sampledPeak, hwm });
  measured.timelines.push({
    key,
    wallMs: run.wallMs,
    activities: run.activities,
    calls: run.callTimes,
    cpu: run.cpu,
    ...(run.db ? { db: run.db } : {}),
  });
  console.log(
    `  ${(run.wallMs / 1000).toFixed(1)} s, ${run.result.outcome}: ${run.result.summary}`,
  );
  if (bench.workers.length > 1) console.log(`  ${splitText(bench, run.byWorker)}`);
  return run;
}

/** Which worker process started how many of the run's activity attempts (BENCH_WORKERS). */
function splitText(bench: Bench, byWorker: ReadonlyMap<string, number>): string {
  const total = [...byWorker.values()].reduce((a, b) => a + b, 0);
  const parts = bench.workers.map((w, i) => {
    const n = [...byWorker].find(([identity]) => identity.startsWith(`${w.pid}@`))?.[1] ?? 0;
    return `worker ${i + 1}: ${n} (${total ? Math.round((100 * n) / total) : 0}%)`;
  });
  return `activity attempts by worker process: ${parts.join(', ')} of ${total}`;
}

async function phase(
  bench: Bench,
  key: PhaseKey,
  writes: number,
  expected: Expected,
  naive: () => Promise<NaiveFigures>,
  measured: Measured,
): Promise<PhaseFigures> {
  const { latencyMs, concurrency } = bench.opts;
  const floor = floorOf(await needsOf(bench, writes), latencyMs, concurrency);
  const run = await measureEngine(bench, key, measured);
  measured.problems.push(...check(key, run, expected));
  console.log(`${PHASE_TITLES[key]}: naive baseline on ${bench.opts.naiveCustomers} customers…`);
  const naiveFigures = await naive();
  console.log(`  ${(naiveFigures.sampleWallMs / 1000).toFixed(1)} s`);
  return {
    key,
    calls: run.calls,
    wallMs: run.wallMs,
    floor,
    naive: naiveFigures,
    outcome: run.result.outcome,
    summary: run.result.summary,
  };
}

/**
 * Phase (d): the changes set up (billing/changes.ts), one engine run, then its checks. Its floor's
 * formula is returned for the report.
 */
async function changePhase(
  bench: Bench,
  measured: Measured,
): Promise<{ figures: PhaseFigures; formula: string }> {
  const { latencyMs, concurrency, customers } = bench.opts;
  console.log(`\n${PHASE_TITLES.d}: setting up the changes…`);
  const prepared = await setUpChanges(bench);
  console.log(describeGroups(prepared.groups, customers));
  const floor = floorOf(needsOfChanges(prepared.needs), latencyMs, concurrency);
  const run = await measureEngine(bench, 'd', measured);
  const observed = await checkChanges(bench, prepared, run);
  return {
    figures: {
      key: 'd',
      calls: run.calls,
      wallMs: run.wallMs,
      floor,
      outcome: run.result.outcome,
      summary: run.result.summary,
      checks: changeTargets(observed),
    },
    formula: changeFloorFormula(prepared.needs, floor, latencyMs, concurrency),
  };
}

async function main(): Promise<void> {
  const opts = optionsFromEnv();
  console.log('billing benchmark (issue 8)\n');
  console.log(machine());
  console.log(
    `\n${opts.customers} customers × ${PRODUCTS.length} skus, each on its own agreement; ` +
      `${opts.latencyMs} ms injected latency per ConnectWise request; concurrency ${opts.concurrency}; ` +
      `naive baseline measured on ${opts.naiveCustomers} other customers and scaled ×${(opts.customers / Math.max(1, opts.naiveCustomers)).toFixed(1)}\n`,
  );
  if (opts.naiveCustomers < 1 || opts.customers < 1) throw new Error('need at least one customer');
  console.log('setup');
  const bench = await startBench(opts);
  const measured: Measured = {
    idle: process.memoryUsage(),
    stages: bench.memory,
    workerStages: [
      ...bench.workerMemory,
      { stage: 'after setup, idle', usage: workerMemoryOf(bench.worker.pid) },
    ],
    workerPhases: [],
    timelines: [],
    problems: [],
  };
  const phases: PhaseFigures[] = [];
  let changeFormula: string | undefined;
  try {
    // After seeding: only the measured requests are slowed.
    await bench.sim.admin.faults.add({ kind: 'latency', ms: opts.latencyMs });
    const lines = opts.customers * PRODUCTS.length;
    phases.push(
      await phase(
        bench,
        'a',
        lines,
        { create: lines },
        async () => (await createNaive(bench)).run(),
        measured,
      ),
    );
    const naive = await createNaive(bench);
    phases.push(await phase(bench, 'b', 0, {}, () => naive.run(), measured));

    const changed = changeShare(bench.usage, 0.1);
    await bench.pushUsage(changed.customers);
    changeShare(bench.naiveUsage, 0.1, 11);
    phases.push(
      await phase(
        bench,
        'c',
        changed.lines,
        { update: changed.lines },
        () => naive.run(),
        measured,
      ),
    );

    const d = await changePhase(bench, measured);
    phases.push(d.figures);
    changeFormula = d.formula;
  } finally {
    const simRss = bench.sim.peakRssMb();
    const lifetimeRss = process.resourceUsage().maxRSS / 1024;
    measured.workerLast = workerMemoryOf(bench.worker.pid);
    const workerRun = describeWorkerRun(bench);
    await bench.close();
    // (a)–(c) are reported even when (d) did not get through.
    if (phases.length >= 3) report(phases, measured, lifetimeRss, simRss, workerRun, changeFormula);
  }
}

function describeWorkerRun(bench: Bench): string {
  const { entry, pid } = bench.worker;
  const command = `${commandOf(entry, 'worker')} (${
    entry.mode === 'compiled'
      ? 'compiled now with tsc -p tsconfig.build.json, as `npm run build` does'
      : `not compiled: ${entry.note ?? 'tsx'}`
  })`;
  return `${command}, pid ${pid ?? '?'}, WORKFLOW_BUNDLE_PATH = the prebundled workflows`;
}

/**
 * The worker process's peak for the target: its VmHWM at the end of the last engine phase (the
 * kernel's high-water mark since it started, so no spike between samples is missed), or the
 * highest sample if /proc gave no VmHWM.
 */
function workerPeakMb(measured: Measured): number {
  const values = measured.workerPhases.flatMap((p) =>
    [p.hwm, p.sampledPeak].filter((v): v is number => v !== undefined),
  );
  return values.length ? Math.max(...values) / 1024 / 1024 : Number.NaN;
}

function report(
  phases: PhaseFigures[],
  measured: Measured,
  lifetimeRssMb: number,
  simRssMb: number | undefined,
  workerRun: string,
  changeFormula: string | undefined,
): void {
  const { problems } = measured;
  const rssPeakMb = workerPeakMb(measured);
  const naive = phases[0]!.naive!;
  console.log('\n## Results\n');
  console.log(summaryTable(phases));
  console.log(
    `\n* naive: measured sequentially on ${naive.sample} customers (${naive.sample * PRODUCTS.length} lines) ` +
      `and scaled linearly ×${(naive.customers / naive.sample).toFixed(1)} to ${naive.customers} customers; not run in full` +
      (phases.some((p) => p.key === 'd') ? '; none for (d).' : '.'),
  );
  console.log('\n' + callsTable(phases));
  console.log('\n' + floorTable(phases));
  if (changeFormula) console.log('\n' + changeFormula);
  console.log('\n' + naiveCallsTable(phases));
  console.log('\nWhere the time goes (Temporal history of each run):\n');
  console.log(timelineTable(measured.timelines));
  console.log('\n' + callTimingTable(measured.timelines));
  console.log('\n' + cpuTable(measured.timelines));
  console.log('\n' + dbTable(measured.timelines));
  console.log(`\nWorker process RSS (${workerRun}; from /proc/<pid>/status):`);
  for (const { stage, usage } of measured.workerStages)
    console.log(
      `  ${stage}: ${usage ? `VmRSS ${mb(usage.rss)}, VmHWM (peak so far) ${mb(usage.hwm)}` : 'n/a'}`,
    );
  for (const p of measured.workerPhases)
    console.log(
      `  engine phase ${p.key}: peak VmRSS sampled every 100 ms ${p.sampledPeak === undefined ? 'n/a' : mb(p.sampledPeak)}, ` +
        `VmHWM at its end ${p.hwm === undefined ? 'n/a' : mb(p.hwm)}`,
    );
  console.log(
    `  peak for the target (VmHWM at the end of the last engine phase, since the process started): ${rssPeakMb.toFixed(0)} MB`,
  );
  if (measured.workerLast)
    console.log(
      `  whole process lifetime (incl. setup and the naive phases): VmHWM ${mb(measured.workerLast.hwm)}`,
    );
  console.log(
    '\nRSS of the bench process (informational: the bench driver under tsx, its Temporal client and database connection; no worker):',
  );
  for (const { stage, usage } of measured.stages)
    console.log(`  ${stage}: ${describeMemory(usage)}`);
  if (measured.idle) console.log(`  after setup: ${describeMemory(measured.idle)}`);
  if (measured.peak)
    console.log(
      `  peak during the engine phases (sampled every 100 ms): ${describeMemory(measured.peak)}`,
    );
  console.log(`  whole process lifetime (incl. setup and naive): ${lifetimeRssMb.toFixed(0)} MB`);
  console.log(
    `  simulator child, not counted: ${simRssMb === undefined ? 'n/a' : `${simRssMb.toFixed(0)} MB`}`,
  );
  const targets = targetsOf(phases, rssPeakMb);
  console.log('\n## Targets\n');
  console.log(targetsTable(targets));
  if (problems.length) {
    console.log('\nThe runs did not do what the data asked:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  const failed = targets.filter((t) => !t.pass).length + problems.length;
  printVerdict(failed);
}

runBench(main);
