import { hostname } from 'node:os';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import fc from 'fast-check';
import type { RestartableServer, WorkerProcess } from '../../dev/stack';
import type { FaultRuleInput } from '../../simulator';
import {
  customerId,
  SKUS,
  startBillingStack,
  type BillingStack,
  type BillingTally,
  type Placement,
  type Sku,
  type Usage,
} from '../e2e/billing-stack';
import { pollUntil, sleep } from '../e2e/partner-stack';
import { STACK_SLOT_WAIT_MS } from '../support/stack-slot';
import { copyDatabase, restoreDatabase } from './database-copy';
import { FULL, SEED, seedLine } from './chaos-env';

/**
 * Billing over the real local stack while things fail (issue 20's chaos suite): the worker killed
 * with SIGKILL at random moments, ConnectWise failing 30% of calls (429 with Retry-After, 5xx,
 * writes committed before the error or late), the database restored from an earlier copy,
 * FerretDB (with its PostgreSQL) and the Temporal dev server stopped mid-run and started again,
 * one of two workers SIGKILLed mid-run, the API member's keys revoked mid-run. Usage changes at
 * random between runs, and in one scenario customers move to another agreement of their company
 * or to another company's (the mapping and the agreement choice saved) (fast-check, from one seed
 * that replays: CHAOS_SEED); plans the engine holds for a decision are approved as a partner
 * would. After each run ConnectWise must hold exactly what the usage says: what an undisturbed
 * run of the same inputs leaves (a moved customer's old agreement keeps its additions cancelled). Prints a table: scenario, runs, faults, duplicates, losses, differences (all 0).
 *
 * `npm test` runs the short variant (about 4 min); `npm run chaos` (CHAOS_FULL=1) the long one, about
 * half an hour on a 2-core machine.
 */
const CUSTOMERS = FULL ? 200 : 8;
const KILL_RUNS = FULL ? 8 : 1;
/** Runs after customers moved to other agreements and companies. */
const MOVE_RUNS = FULL ? 6 : 1;
const FAULT_RUNS = FULL ? 5 : 2;
/** Runs of each server-restart scenario, and of the two-worker one. */
const RESTART_RUNS = FULL ? 3 : 1;
/** Every ConnectWise call slowed this much in those, so a run lasts long enough to interrupt. */
const LATENCY_MS = 300;
/** How long a stopped server stays down (drawn): 10–20 s; the short variant keeps to 10–12. */
const DOWN_MS = { min: 10_000, max: FULL ? 20_000 : 12_000 };
/** A SIGKILL'd activity is retried after its heartbeat timeout (a minute); runs last up to 4. */
const RUN_TIMEOUT_MS = 240_000;

jest.setTimeout(FULL ? 1_500_000 : 600_000);

interface Row extends BillingTally {
  scenario: string;
  runs: number;
  faults: number;
  /** What else the scenario checks, and what it measured. */
  note: string;
}
const rows: Row[] = [];

let b: BillingStack;
let usage: Usage;
/** Run plans drawn from the seed, one at a time. */
let draws: Iterator<UsageChange>;

/** What one run changes: for some customers, a new quantity of each sku (0: no longer used). */
type UsageChange = Array<{ customer: number; lines: Partial<Record<Sku, number>> }>;

/** A new quantity; one in six drops the sku (0), so usage leaving and coming back is common. */
const quantity = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 400 }), weight: 5 },
);

const usageChange = (customers: number): fc.Arbitrary<UsageChange> =>
  fc.array(
    fc.record({
      customer: fc.integer({ min: 0, max: customers - 1 }),
      lines: fc.record(
        Object.fromEntries(SKUS.map((sku) => [sku, quantity])) as Record<Sku, fc.Arbitrary<number>>,
        { requiredKeys: [] },
      ),
    }),
    { minLength: 1, maxLength: Math.max(2, Math.ceil(customers / 3)) },
  );

/** Applies the next drawn change to the usage and pushes it: the input of the next run. */
async function changeUsage(): Promise<void> {
  const change = draws.next().value as UsageChange;
  const next: Usage = new Map(usage);
  for (const { customer, lines } of change) {
    const merged: Partial<Record<Sku, number>> = { ...next.get(customerId(customer)), ...lines };
    for (const sku of SKUS) if (merged[sku] === 0) delete merged[sku];
    next.set(customerId(customer), merged);
  }
  usage = next;
  await b.pushUsage(usage);
}

/**
 * Calls the API as a portal does: a 503 (Temporal slow to answer: still waiting on the killed
 * worker's tasks, or a loaded machine) is tried again a second later, for up to a minute.
 */
async function as503Retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 60 || !/: 503 /.test(String(err))) throw err;
      await sleep(1_000);
    }
  }
}

const pressSynchronize = () => as503Retried(() => b.synchronize());

/** Runs one Synchronize to its end; `meanwhile` is what goes wrong during it. */
async function runOnce(meanwhile: (run: string) => Promise<void> = () => Promise.resolve()) {
  const run = await pressSynchronize();
  await meanwhile(run);
  return await b.finished(run, RUN_TIMEOUT_MS);
}

/**
 * Kills the worker `delay` ms into the run; whether the run was still running then (a kill after
 * the run ended tests the restart only).
 */
async function killDuring(run: string, delay: number): Promise<boolean> {
  await sleep(delay);
  // Not found: the lifecycle has not started the run yet (the kill lands before it).
  const status = await b.temporal.workflow
    .getHandle(run)
    .describe()
    .then((d) => d.status.name)
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return 'NOT_STARTED';
      throw err;
    });
  await b.stack.restartWorker('SIGKILL');
  return status === 'RUNNING';
}

/** Plans approved so far (a partner deciding what the engine held). */
let approved = 0;

/**
 * Decides every plan the engine holds as a partner would: approves it (a seat drop past the
 * safety valve, additions it does not own), adopting each candidate addition once (it is listed
 * under each sku it may bill). Returns how many it approved.
 */
async function approveHeld(): Promise<number> {
  const { items } = await b.call('GET', '/connectwise/billing/approvals');
  const held = items as Array<{
    approvalId: string;
    planHash: string;
    operations: Array<{ action: string; additionId: number }>;
  }>;
  if (held.length === 0) return 0;
  try {
    await b.call('POST', '/connectwise/billing/approvals/decide', {
      decisions: held.map((a) => ({
        approvalId: a.approvalId,
        planHash: a.planHash,
        decision: 'approve',
        candidates: [
          ...new Set(a.operations.filter((o) => o.action === 'candidate').map((o) => o.additionId)),
        ].map((additionId) => ({ additionId, decision: 'adopt' })),
      })),
    });
  } catch (err) {
    // 503: the decisions were saved but the run they start was not (Temporal slow to answer on a
    // loaded machine; deciding again answers 409, decided already). The next Synchronize of
    // runToSuccess applies them; if they were not saved, it holds them again and they are
    // decided then.
    if (!/: 503 /.test(String(err))) throw err;
    return 0;
  }
  await b.idle();
  approved += held.length;
  return held.length;
}

/**
 * Runs until one succeeds: a run whose batch ran out of retries converges on the next, and one
 * that held plans for a decision does once they are approved.
 */
async function runToSuccess(meanwhile?: (run: string) => Promise<void>): Promise<number> {
  let last: Record<string, unknown> = {};
  for (let runs = 1; runs <= 3; runs++) {
    last = await runOnce(runs === 1 ? meanwhile : undefined);
    if (last.outcome === 'succeeded') return runs;
    await approveHeld();
  }
  throw new Error(`three runs in a row did not succeed; the last: ${JSON.stringify(last)}`);
}

const add = (total: BillingTally, t: BillingTally) => {
  total.duplicates += t.duplicates;
  total.losses += t.losses;
  total.differences += t.differences;
};
const none = (): BillingTally => ({ duplicates: 0, losses: 0, differences: 0 });

/** A scenario's row of the suite's table, counted into as it runs. */
function tableRow(scenario: string): Row {
  const row: Row = { scenario, runs: 0, faults: 0, note: '', ...none() };
  rows.push(row);
  return row;
}

/** Samples `arbitrary` once from the suite's seed (`salt`: another draw for another scenario). */
const drawn = <T>(arbitrary: fc.Arbitrary<T>, salt: number): T =>
  fc.sample(arbitrary, { seed: SEED + salt, numRuns: 1 })[0]!;

/** A part of the stack that died by itself (not one a scenario killed or restarted), if any. */
const partFailure = () =>
  Promise.race([
    b.stack.failed.then((f) => f.summary),
    new Promise<undefined>((r) => setImmediate(() => r(undefined))),
  ]);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The sync history lists the run as finished (its row ended, not left `running`), and the run
 * itself completed: none of its agreements failed (a run that held plans for a decision is
 * `partial`; the next one, after the approval, converges).
 */
function expectCompleted(row: Record<string, unknown>): void {
  expect(row).toMatchObject({ endedAt: expect.any(String) });
  expect(['succeeded', 'partial']).toContain(row.outcome);
  expect(row).toMatchObject({ counts: { agreements: { failed: 0 } } });
}

beforeAll(async () => {
  // eslint-disable-next-line no-console -- the seed that replays this run
  console.log(seedLine('chaos'));
  b = await startBillingStack(CUSTOMERS, { concurrency: 4 });
  const [changes] = fc.sample(fc.infiniteStream(usageChange(CUSTOMERS)), {
    seed: SEED,
    numRuns: 1,
  });
  draws = changes![Symbol.iterator]();
  usage = new Map(b.indexes.map((i) => [customerId(i), { 'e2e-browser': 10 + i }]));
  await b.pushUsage(usage);
  expect((await runOnce()).outcome).toBe('succeeded');
}, 300_000 + STACK_SLOT_WAIT_MS);

afterAll(async () => {
  if (rows.length > 0) {
    const head = [
      'scenario',
      'runs',
      'faults injected',
      'duplicates',
      'losses',
      'differences',
      'also',
    ];
    const lines = rows.map((r) =>
      [r.scenario, r.runs, r.faults, r.duplicates, r.losses, r.differences, r.note].join(' | '),
    );
    // eslint-disable-next-line no-console -- the suite's table
    console.log(
      [
        `chaos (seed ${SEED}, ${CUSTOMERS} customers × ${SKUS.length} skus)`,
        head.join(' | '),
        ...lines,
      ].join('\n'),
    );
  }
  await b?.stop();
});

afterEach(async () => {
  await b.sim.faults.clear();
});

test('the worker killed with SIGKILL at random moments: every run ends as an undisturbed one', async () => {
  const row = tableRow('worker SIGKILL');
  const approvedBefore = approved;
  let midRun = 0;
  // Every call slowed a little, so a run lasts long enough to be killed in.
  await b.sim.faults.add({ kind: 'latency', ms: 40 });
  const [delays] = fc.sample(
    fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: KILL_RUNS, maxLength: KILL_RUNS }),
    { seed: SEED, numRuns: 1 },
  );
  for (const delay of delays!) {
    await changeUsage();
    row.runs += await runToSuccess(async (run) => {
      if (await killDuring(run, delay)) midRun += 1;
      row.faults += 1;
    });
    add(row, await b.tally(usage));
  }
  row.note = `${midRun} of ${row.faults} kill(s) while the run was running; ${approved - approvedBefore} plan(s) held and approved`;
  expect(row).toMatchObject(none());
});

test('company mappings and agreement choices changing between runs, the worker SIGKILLed in them: each moved customer is billed on its new agreement only', async () => {
  const row = tableRow('mappings and agreement choices changed, worker SIGKILL');
  const approvedBefore = approved;
  await b.sim.faults.add({ kind: 'latency', ms: 40 });
  let moved = 0;
  let midRun = 0;
  for (let k = 0; k < MOVE_RUNS; k++) {
    // A few customers move on: to the company's other agreement, or to another company and its
    // agreement (never back: an agreement left is expected to keep its additions cancelled).
    const movable = b.indexes.filter((i) => (b.placements.get(i) ?? 0) < 2);
    const { picked, steps, delay } = drawn(
      fc.record({
        picked: fc.shuffledSubarray(movable, {
          minLength: Math.min(2, movable.length),
          maxLength: Math.min(movable.length, Math.max(2, Math.ceil(movable.length / 4))),
        }),
        steps: fc.array(fc.integer({ min: 1, max: 2 }), {
          minLength: movable.length,
          maxLength: movable.length,
        }),
        delay: fc.integer({ min: 0, max: 1_500 }),
      }),
      1_000 + k,
    );
    // The first two picked take each kind of move (another agreement, another company).
    const moves = picked.map((index, n) => ({
      index,
      placement: Math.min(
        2,
        (b.placements.get(index) ?? 0) + (n < 2 ? n + 1 : steps[n]!),
      ) as Placement,
    }));
    await b.place(moves);
    moved += moves.length;
    await changeUsage();
    row.runs += await runToSuccess(async (run) => {
      if (await killDuring(run, delay)) midRun += 1;
      row.faults += 1;
    });
    add(row, await b.tally(usage));
  }
  const placed = [...b.placements.values()];
  row.note = `${midRun} of ${row.faults} kill(s) while the run was running; ${moved} move(s): ${placed.filter((p) => p === 1).length} customer(s) on their company's other agreement, ${placed.filter((p) => p === 2).length} on another company's; ${approved - approvedBefore} plan(s) held and approved`;
  expect(row).toMatchObject(none());
});

test('ConnectWise failing 30% of calls (429 with Retry-After, 5xx, writes committed before the error or late): converges, Retry-After honoured', async () => {
  const row = tableRow('ConnectWise faults 30%');
  const approvedBefore = approved;
  const rules: FaultRuleInput[] = [
    { kind: 'serverError', status: 503, afterCommit: true, method: 'POST', probability: 0.15 },
    // Committed after the engine gave up waiting (CW_WRITE_TIMEOUT_MS, 10 s here): twice a run.
    { kind: 'slowCommit', ms: 12_000, commitAt: 'end', method: 'POST', count: 2 },
    { kind: 'serverError', status: 500, afterCommit: true, method: 'PATCH', probability: 0.3 },
    { kind: 'rateLimit', retryAfterSeconds: 2, probability: 0.15 },
    { kind: 'serverError', status: 502, method: 'GET', probability: 0.18 },
  ];
  let early = 0;
  let throttled = 0;
  for (let i = 0; i < FAULT_RUNS; i++) {
    await changeUsage();
    await b.sim.journal.clear();
    for (const rule of rules)
      await b.sim.faults.add({ ...rule, pathPattern: '^/finance/agreements' });
    const first = await runOnce();
    row.faults += (await b.sim.faults.list()).reduce((n, f) => n + f.fired, 0);
    // After a 429, no billing call of the integration reaches ConnectWise until its Retry-After
    // (2 s) has passed since the answer (those already on their way when it came excepted).
    const journal = (await b.sim.journal.list()).filter((e) =>
      e.template.startsWith('/finance/agreements'),
    );
    for (const entry of journal.filter((e) => e.status === 429)) {
      throttled += 1;
      const answeredAt = Date.parse(entry.time) + entry.durationMs;
      if (
        journal.some((e) => {
          const at = Date.parse(e.time);
          return at > answeredAt + 100 && at < answeredAt + 2_000 - 100;
        })
      )
        early += 1;
    }
    await b.sim.faults.clear();
    row.runs += 1;
    if (first.outcome !== 'succeeded') row.runs += await runToSuccess();
    add(row, await b.tally(usage));
  }
  row.note = `${throttled} 429s, ${early} calls before Retry-After; ${approved - approvedBefore} plan(s) held and approved`;
  expect(throttled).toBeGreaterThan(0);
  expect(early).toBe(0);
  expect(row).toMatchObject(none());
});

test('the database restored from a copy taken runs earlier: nothing doubled, ConnectWise converges', async () => {
  const row = tableRow('database restored from an earlier copy');
  const copy = await copyDatabase(b.stack.mongoUri);
  for (let i = 0; i < 2; i++) {
    await changeUsage();
    row.runs += await runToSuccess();
  }
  await b.idle();
  const restored = await restoreDatabase(b.stack.mongoUri, copy);
  row.faults += 1;
  // The vendor pushes its usage again (the copy holds older usage), then the next run. What the
  // engine wrote after the copy is unknown to it now: it finds those additions in ConnectWise and
  // holds their agreements for a decision instead of writing a second one.
  await b.pushUsage(usage);
  const after = await runOnce();
  row.runs += 1;
  // Before any decision nothing was doubled.
  expect((await b.tally(usage)).duplicates).toBe(0);
  // The partner adopts them (each bills exactly one of the skus): the engine's own again.
  const held = await approveHeld();
  row.runs += await runToSuccess();
  row.note = `${restored} documents restored; the run after: ${String(after.outcome)}, ${held} agreement(s) held and adopted`;
  add(row, await b.tally(usage));
  expect(row).toMatchObject(none());
});

const identityOf = (w: WorkerProcess) => `${String(w.pid)}@${hostname()}`;
const STARTED = proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** The activities of a run in flight: their ids, by the worker running them. */
async function inFlightByWorker(run: string): Promise<Map<string, string[]>> {
  const by = new Map<string, string[]>();
  let raw;
  try {
    ({ raw } = await b.temporal.workflow.getHandle(run).describe());
  } catch (err) {
    // Synchronize answers once the run is queued: the lifecycle starts its workflow a moment later.
    if (err instanceof WorkflowNotFoundError) return by;
    throw err;
  }
  for (const a of raw.pendingActivities ?? []) {
    if (a.state !== STARTED || !a.lastWorkerIdentity || !a.activityId) continue;
    by.set(a.lastWorkerIdentity, [...(by.get(a.lastWorkerIdentity) ?? []), a.activityId]);
  }
  return by;
}

/** Waits until one of the run's activities runs on a worker, then `delayMs` more. */
async function inFlight(run: string, delayMs: number): Promise<void> {
  await pollUntil(
    `an activity of run ${run} in flight`,
    async () => ((await inFlightByWorker(run)).size > 0 ? true : undefined),
    { timeoutMs: 60_000, everyMs: 100 },
  );
  await sleep(delayMs);
}

/** Each completed activity of a run: its id, the worker that completed it, when, which attempt. */
async function completedActivities(run: string) {
  const { events } = await b.temporal.workflow.getHandle(run).fetchHistory();
  const byId = new Map((events ?? []).map((e) => [String(e.eventId), e]));
  return (events ?? []).flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) return [];
    const scheduled = byId.get(String(done.scheduledEventId))?.activityTaskScheduledEventAttributes;
    const started = byId.get(String(done.startedEventId))?.activityTaskStartedEventAttributes;
    const completion = {
      activityId: scheduled?.activityId ?? '',
      identity: done.identity ?? '',
      at: Number(e.eventTime?.seconds) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6),
      attempt: started?.attempt ?? 1,
    };
    if (!completion.activityId || !completion.identity || !Number.isFinite(completion.at))
      throw new Error(`an activity completion of ${run} not understood: ${JSON.stringify(e)}`);
    return [completion];
  });
}

/**
 * Stops `server` while a run is in flight (an activity of it running, and a moment more drawn from
 * the seed), keeps it down for DOWN_MS (drawn), starts it again on the same port over the same
 * data: that same run completes after it is back, its row says so, and ConnectWise ends as the
 * usage says.
 */
async function restartMidRun(
  server: RestartableServer,
  row: Row,
  stop: { graceMs?: number } = {},
): Promise<void> {
  const approvedBefore = approved;
  // Every call slowed, so a run lasts seconds: long enough to be interrupted in.
  await b.sim.faults.add({ kind: 'latency', ms: LATENCY_MS });
  const plans = drawn(
    fc.array(
      fc.record({
        delay: fc.integer({ min: 0, max: 500 }),
        downMs: fc.integer(DOWN_MS),
      }),
      { minLength: RESTART_RUNS, maxLength: RESTART_RUNS },
    ),
    server === 'ferretdb' ? 1 : 2,
  );
  const notes: string[] = [];
  for (const { delay, downMs } of plans) {
    await changeUsage();
    const run = await pressSynchronize();
    await inFlight(run, delay);
    await b.stack.stopServer(server, stop.graceMs);
    const down = Date.now();
    row.faults += 1;
    await sleep(downMs);
    await b.stack.startServer(server);
    const back = Date.now();
    const ended = await b.finished(run, RUN_TIMEOUT_MS);
    row.runs += 1;
    // The run was still open once the server was down (it cannot close without it).
    const { closeTime } = await b.temporal.workflow.getHandle(run).describe();
    expect(closeTime!.getTime()).toBeGreaterThan(down);
    expectCompleted(ended);
    const retried = (await completedActivities(run)).filter((a) => a.attempt > 1).length;
    notes.push(
      `${seconds(back - down)} down, the run ended ${seconds(closeTime!.getTime() - back)} after (activities retried: ${retried})`,
    );
    if (ended.outcome !== 'succeeded') {
      await approveHeld();
      row.runs += await runToSuccess();
    }
    // The API answers from Temporal and the database again (the lifecycle's state), and no part
    // of the stack died meanwhile.
    await b.idle();
    expect(await partFailure()).toBeUndefined();
    add(row, await b.tally(usage));
  }
  row.note = `${notes.join('; ')}; ${approved - approvedBefore} plan(s) held and approved`;
}

test('FerretDB killed and its PostgreSQL stopped mid-run, both down 10–20 s and started again over their data: the run completes, its row is kept', async () => {
  const row = tableRow('FerretDB + PostgreSQL down mid-run');
  // FerretDB killed, PostgreSQL's fast shutdown (its sessions end at once): no graceful drain that
  // would let the run finish while FerretDB is stopping.
  await restartMidRun('ferretdb', row, { graceMs: 0 });
  expect(row).toMatchObject(none());
});

test('the Temporal dev server stopped mid-run for 10–20 s and started again over its database: workers and API reconnect, the run completes', async () => {
  const row = tableRow('Temporal down mid-run');
  await restartMidRun('temporal', row);
  expect(row).toMatchObject(none());
});

test('two workers on the task queues, the busier SIGKILLed mid-run and not restarted: the other finishes the run', async () => {
  const row = tableRow('one of two workers SIGKILLed');
  const approvedBefore = approved;
  await b.sim.faults.add({ kind: 'latency', ms: LATENCY_MS });
  const plans = drawn(
    fc.array(fc.record({ delay: fc.integer({ min: 0, max: 500 }), tie: fc.boolean() }), {
      minLength: RESTART_RUNS,
      maxLength: RESTART_RUNS,
    }),
    3,
  );
  const notes: string[] = [];
  let alive: WorkerProcess[] = [b.stack.worker()];
  try {
    for (const { delay, tie } of plans) {
      alive.push(await b.stack.startWorker());
      await changeUsage();
      const run = await pressSynchronize();
      // Once a worker runs one of the run's activities, and a moment more: the busier worker dies.
      await inFlight(run, delay);
      const running = await inFlightByWorker(run);
      const load = (w: WorkerProcess) => running.get(identityOf(w))?.length ?? 0;
      // The busier first; on a tie, in the order drawn (sort is stable).
      const [victim, survivor] = (tie ? alive : [...alive].reverse()).sort(
        (x, y) => load(y) - load(x),
      ) as [WorkerProcess, WorkerProcess];
      const interrupted = running.get(identityOf(victim)) ?? [];
      if (interrupted.length === 0)
        throw new Error(`no activity of run ${run} in flight when a worker was to be killed`);
      const killedAt = Date.now();
      await victim.kill('SIGKILL');
      alive = [survivor];
      row.faults += 1;

      const ended = await b.finished(run, RUN_TIMEOUT_MS);
      row.runs += 1;
      expectCompleted(ended);
      const done = await completedActivities(run);
      // What the killed worker was running was finished by the other (a completion the killed one
      // had sent just before it died excepted); after the kill, the killed worker completed nothing.
      for (const id of interrupted) {
        const completion = done.find((d) => d.activityId === id);
        expect(completion).toBeDefined();
        if (completion!.identity !== identityOf(survivor))
          expect(completion!.at).toBeLessThanOrEqual(killedAt + 1_000);
      }
      expect(
        done.filter((d) => d.identity === identityOf(victim) && d.at > killedAt + 1_000),
      ).toEqual([]);
      const by = (w: WorkerProcess) => done.filter((d) => d.identity === identityOf(w)).length;
      const retried = done.filter((d) => d.identity === identityOf(survivor) && d.attempt > 1);
      notes.push(
        `activities completed: ${by(victim)} by the killed worker (${interrupted.length} in flight at the kill), ${by(survivor)} by the other (${retried.length} of them retried)`,
      );
      if (ended.outcome !== 'succeeded') {
        await approveHeld();
        row.runs += await runToSuccess();
      }
      expect(await partFailure()).toBeUndefined();
      add(row, await b.tally(usage));
    }
  } finally {
    // One worker for the scenarios after this one, as the stack had (a failure above may leave two).
    for (const extra of alive.slice(1)) await extra.kill('SIGTERM');
  }
  row.note = `${notes.join('; ')}; ${approved - approvedBefore} plan(s) held and approved`;
  expect(row).toMatchObject(none());
});

test("the API member's keys revoked mid-run: the integration stops with credentials_invalid after a single refused call, no retry storm", async () => {
  const row = tableRow('keys revoked mid-run');
  row.faults = 1;
  await changeUsage();
  await b.sim.journal.clear();
  await b.sim.faults.add({ kind: 'latency', ms: 200 });
  // The keys go as the run starts: every call it makes after that is refused.
  await pressSynchronize();
  await b.sim.keys.rotate();
  let seen: unknown;
  await pollUntil(
    'credentials_invalid',
    async () => {
      const status = await b.call('GET', '/connectwise/status');
      const statuses = (await b.sim.journal.list()).map((e) => e.status);
      seen = { state: status.state, reason: status.stateReason, statuses: statuses.join(',') };
      return status.state === 'credentials_invalid' ? true : undefined;
    },
    { timeoutMs: 60_000, last: () => seen },
  );
  // Whatever was already in flight when the keys went; then nothing more.
  await sleep(5_000);
  const refused = (await b.sim.journal.list()).filter((e) => e.status === 401);
  row.runs = 1;
  row.note = `${refused.length} refused call(s), then none for 5 s`;
  // The first refused call stops the integration: nothing else is tried with the old keys.
  expect(refused.length).toBe(1);
});
