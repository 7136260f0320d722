/**
 * The step load of the ticket benchmark (issue 18 §3): new events only, one per post, at 10, 20,
 * 30, 40 and 50 posts a second for BENCH_STEP_SECONDS (30) each, every step left to settle before
 * the next; per step, accepted (202) → ticket created (the row's write of the ticket id) p50 and
 * p99. The highest rate whose p99 stays within 10 s is what the engine sustains; stepping stops at
 * the first rate that does not. `runSteps` also serves the billing-alongside comparison.
 */
import { ticketEventModel } from '../../db/models/ticket-event';
import { externalXRefOf } from '../../domain/tickets/text';
import { percentile } from './report';
import { postPatiently } from './http';
import { untilTickets } from './batches';
import type { TicketBench } from './setup';

/** BENCH_STEP_RATES (a comma list) to run others. */
export const STEP_RATES = (process.env.BENCH_STEP_RATES ?? '10,20,30,40,50').split(',').map(Number);
/** A step passes when accepted → created p99 is at most this. */
export const STEP_P99_LIMIT_MS = 10_000;

export interface StepFigures {
  rate: number;
  posts: number;
  accepted: number;
  /** Every HTTP answer's time (429s included). */
  answerMs: number[];
  throttled: number;
  /** Accepted → created, per event with a ticket. */
  createdMs: number[];
  duplicates: number;
  /** Accepted events without a ticket after the settle time. */
  missing: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One step: `rate` new events a second for `seconds`, then until each has its ticket. */
export async function runStep(
  bench: TicketBench,
  rate: number,
  seconds: number,
  label = `s${rate}`,
): Promise<StepFigures> {
  const url = `${bench.apiUrl}/v1/partners/${bench.partnerId}/connectwise/events`;
  const run = `${label}-${Date.now().toString(36)}`;
  const acceptedAt = new Map<string, number>();
  const answerMs: number[] = [];
  let throttled = 0;
  const inFlight: Array<Promise<void>> = [];
  const started = performance.now();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const wait = (i * 1000) / rate - (performance.now() - started);
    if (wait > 0) await sleep(wait);
    const key = `st${run}-${i}`;
    inFlight.push(
      postPatiently(url, bench.token, {
        key,
        customerId: bench.customerIds[i % bench.customerIds.length]!,
        title: 'Phishing site blocked',
        severity: 'high',
        description: `Step ${rate}/s, event ${i}.`,
        occurredAt: new Date().toISOString(),
      }).then((answer) => {
        answerMs.push(...answer.answerMs);
        throttled += answer.throttled;
        if (answer.status === 202) acceptedAt.set(key, Date.now());
      }),
    );
  }
  await Promise.all(inFlight);
  await untilTickets(bench, [...acceptedAt.keys()], started);
  const rows = await ticketEventModel(bench.servers.conn)
    .find({ partnerId: bench.partnerId, integrationId: bench.integrationId, key: /^st/ })
    .lean()
    .exec();
  const createdMs: number[] = [];
  let missing = 0;
  const byKey = new Map(rows.map((r) => [r.key, r]));
  // BENCH_TIMELINE: the slowest accepted → created of each 5 s of the step.
  const slowest = new Map<number, number>();
  const startedAt = Date.now() - (performance.now() - started);
  for (const [key, at] of acceptedAt) {
    const row = byKey.get(key);
    if (row?.ticketId == null) missing += 1;
    else if (row.state === 'open' && (row.notes ?? 0) === 0) {
      const ms = row.updatedAt.getTime() - at;
      createdMs.push(ms);
      const bucket = Math.floor((at - startedAt) / 5000) * 5;
      slowest.set(bucket, Math.max(slowest.get(bucket) ?? 0, ms));
    }
  }
  if (process.env.BENCH_TIMELINE) {
    console.log(
      `    slowest accepted → created per 5 s: ${[...slowest]
        .sort(([a], [b]) => a - b)
        .map(([t, ms]) => `${t}s ${ms} ms`)
        .join(', ')}`,
    );
    // The simulator's own answer time for the ticket calls of the step (its latency included).
    const since = new Date(startedAt).toISOString();
    const ticketCalls = (await bench.servers.sim.admin.journal.list())
      .filter((e) => e.time >= since && e.template.startsWith('/service/tickets'))
      .map((e) => e.durationMs);
    console.log(
      `    simulator's ticket calls: ${ticketCalls.length}, p50 ${percentile(ticketCalls, 50)} ms, p99 ${percentile(ticketCalls, 99)} ms`,
    );
  }
  const xrefs = new Set(
    [...acceptedAt.keys()].map((key) =>
      externalXRefOf({ integrationId: bench.integrationId, key, generation: 0 }),
    ),
  );
  const counts = new Map<string, number>();
  for (const t of await bench.servers.sim.admin.state.tickets())
    if (t.externalXRef && xrefs.has(t.externalXRef))
      counts.set(t.externalXRef, (counts.get(t.externalXRef) ?? 0) + 1);
  return {
    rate,
    posts: total,
    accepted: acceptedAt.size,
    answerMs,
    throttled,
    createdMs,
    duplicates: [...counts.values()].filter((n) => n > 1).length,
    missing,
  };
}

/** The steps, stopping after the first whose p99 is over the limit. */
export async function runSteps(bench: TicketBench, seconds: number): Promise<StepFigures[]> {
  const steps: StepFigures[] = [];
  for (const rate of STEP_RATES) {
    console.log(`  step ${rate} posts/s for ${seconds} s`);
    const step = await runStep(bench, rate, seconds);
    steps.push(step);
    console.log(
      `    accepted ${step.accepted}/${step.posts}; accepted → created p50 ${Math.round(percentile(step.createdMs, 50))} ms, p99 ${Math.round(percentile(step.createdMs, 99))} ms`,
    );
    if (!(percentile(step.createdMs, 99) <= STEP_P99_LIMIT_MS) || step.missing > 0) break;
  }
  return steps;
}

/** The highest rate whose step passed (its p99 within the limit, nothing missing), or 0. */
export function sustainedRate(steps: readonly StepFigures[]): number {
  return Math.max(
    0,
    ...steps
      .filter((s) => s.missing === 0 && percentile(s.createdMs, 99) <= STEP_P99_LIMIT_MS)
      .map((s) => s.rate),
  );
}
