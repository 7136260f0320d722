/**
 * The batch phase of the ticket benchmark (issue 18 §3): BENCH_BATCHES batches of 500 reports,
 * one every 3 s, each through `POST …/events` as `{events}`: 50 new keys reported 10 times each,
 * interleaved, so every batch writes 50 new rows and 500 outbox reports. Measured: each batch's
 * answer time (the target is about the answer, whatever waits behind it). Then every key must end
 * with exactly one ticket and its workflow must count exactly the reports it was sent.
 */
import pLimit from 'p-limit';
import { ticketEventModel } from '../../db/models/ticket-event';
import { externalXRefOf } from '../../domain/tickets/text';
import type { SecurityEvent } from '../../domain/tickets/event';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { activitiesByWorker } from '../common/history';
import { ticketProgressQuery } from '../../workflows/ticket-messages';
import { postPatiently } from './http';
import type { TicketBench } from './setup';

export const BATCH_SIZE = 500;
const KEYS_PER_BATCH = 50;
const EVERY_MS = 3_000;

export interface BatchFigures {
  batches: number;
  /** Every HTTP answer's time (429s included), and each batch's final status. */
  answerMs: number[];
  statuses: number[];
  throttled: number;
  /** Keys with more than one ticket, keys with none, keys whose workflow miscounted. */
  duplicates: string[];
  missing: string[];
  miscounted: string[];
  reports: number;
  keys: number;
  /** Reports each API process accepted (BENCH_APIS): each batch is split between them. */
  byApi: number[];
  /**
   * With several workers: of a sample of the keys' ticket workflows, how many activity attempts
   * each worker process started (by Temporal identity), and how many workflows it ran.
   */
  byWorker?: { sampled: number; activities: Map<string, number>; workflows: Map<string, number> };
  /** From the first batch until every key had its ticket; undefined: not within the settle time. */
  settledMs: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runBatches(bench: TicketBench, batches: number): Promise<BatchFigures> {
  const urls = bench.apiUrls.map(
    (api) => `${api}/v1/partners/${bench.partnerId}/connectwise/events`,
  );
  const byApi = urls.map(() => 0);
  const run = Date.now().toString(36);
  const sent = new Map<string, number>();
  const answerMs: number[] = [];
  const statuses: number[] = [];
  let throttled = 0;
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const due = b * EVERY_MS - (performance.now() - started);
    if (due > 0) await sleep(due);
    const keys = Array.from({ length: KEYS_PER_BATCH }, (_, k) => `bb${run}-${b}-${k}`);
    const events: SecurityEvent[] = Array.from({ length: BATCH_SIZE }, (_, i) => {
      const k = i % KEYS_PER_BATCH;
      return {
        key: keys[k]!,
        customerId: bench.customerIds[(b * KEYS_PER_BATCH + k) % bench.customerIds.length]!,
        title: 'Malware download blocked',
        severity: 'medium',
        description: `Batch ${b}, report ${i}.`,
        occurredAt: new Date(Date.now() + i).toISOString(),
      };
    });
    // With several API processes, the batch's reports are dealt among them and sent at once:
    // every key is reported through each of them, concurrently.
    const parts = urls.map((_, n) => events.filter((_e, i) => i % urls.length === n));
    const answers = await Promise.all(
      parts.map((part, n) => postPatiently(urls[n]!, bench.token, { events: part })),
    );
    answers.forEach((answer, n) => {
      answerMs.push(...answer.answerMs);
      statuses.push(answer.status);
      throttled += answer.throttled;
      if (answer.status !== 202) return;
      byApi[n]! += parts[n]!.length;
      for (const e of parts[n]!) sent.set(e.key, (sent.get(e.key) ?? 0) + 1);
    });
    console.log(
      `  batch ${b + 1}/${batches}: ${answers.map((a) => `${a.status} in ${Math.round(a.answerMs.at(-1) ?? 0)} ms`).join(', ')}`,
    );
  }
  const settledMs = await untilTickets(bench, [...sent.keys()], started);
  const check = await checkKeys(bench, sent);
  const byWorker =
    bench.servers.workers.length > 1 ? await workerSplit(bench, [...sent.keys()]) : undefined;
  return {
    batches,
    answerMs,
    statuses,
    throttled,
    ...check,
    reports: [...sent.values()].reduce((a, b) => a + b, 0),
    keys: sent.size,
    byApi,
    ...(byWorker ? { byWorker } : {}),
    settledMs,
  };
}

/** Waits until every key's row has its ticket; the time from `started`, or undefined. */
export async function untilTickets(
  bench: TicketBench,
  keys: readonly string[],
  started: number,
): Promise<number | undefined> {
  const model = ticketEventModel(bench.servers.conn);
  const deadline = Date.now() + bench.opts.settleSeconds * 1000;
  const want = new Set(keys);
  for (let round = 0; Date.now() < deadline; round++) {
    const done = await model
      .find(
        {
          partnerId: bench.partnerId,
          integrationId: bench.integrationId,
          ticketId: { $ne: null },
        },
        { key: 1 },
      )
      .lean()
      .exec();
    const waiting = want.size - done.filter((d) => want.has(d.key)).length;
    if (waiting === 0) return performance.now() - started;
    if (round % 10 === 0) console.log(`  ${waiting} of ${want.size} keys without a ticket yet`);
    await sleep(1_000);
  }
  return undefined;
}

/** Each key: exactly one ticket in ConnectWise, and its workflow counted every report sent. */
async function checkKeys(
  bench: TicketBench,
  sent: ReadonlyMap<string, number>,
): Promise<Pick<BatchFigures, 'duplicates' | 'missing' | 'miscounted'>> {
  const tickets = await bench.servers.sim.admin.state.tickets();
  const byXref = new Map<string, number>();
  for (const t of tickets)
    if (t.externalXRef) byXref.set(t.externalXRef, (byXref.get(t.externalXRef) ?? 0) + 1);
  const duplicates: string[] = [];
  const missing: string[] = [];
  const miscounted: string[] = [];
  const limit = pLimit(8);
  await Promise.all(
    [...sent].map(([key, reports]) =>
      limit(async () => {
        const xref = externalXRefOf({ integrationId: bench.integrationId, key, generation: 0 });
        const count = byXref.get(xref) ?? 0;
        if (count > 1) duplicates.push(key);
        if (count === 0) missing.push(key);
        const progress = await bench.servers.client.workflow
          .getHandle(ticketWorkflowId(bench.integrationId, key))
          .query(ticketProgressQuery)
          .catch(() => undefined);
        if (progress?.occurrences !== reports) miscounted.push(key);
      }),
    ),
  );
  return { duplicates, missing, miscounted };
}

/** Which worker ran each of (up to 200 of) these keys' ticket workflows and their activities. */
async function workerSplit(
  bench: TicketBench,
  keys: readonly string[],
): Promise<NonNullable<BatchFigures['byWorker']>> {
  const sample = keys.filter((_, i) => i % Math.max(1, Math.floor(keys.length / 200)) === 0);
  const activities = new Map<string, number>();
  const workflows = new Map<string, number>();
  const add = (counts: Map<string, number>, identity: string, n = 1) =>
    counts.set(identity, (counts.get(identity) ?? 0) + n);
  const limit = pLimit(8);
  await Promise.all(
    sample.map((key) =>
      limit(async () => {
        const handle = bench.servers.client.workflow.getHandle(
          ticketWorkflowId(bench.integrationId, key),
        );
        const events = (await handle.fetchHistory()).events ?? [];
        for (const [identity, n] of activitiesByWorker(events)) add(activities, identity, n);
        // The worker that completed the first workflow task began it.
        const first = events.find((e) => e.workflowTaskCompletedEventAttributes);
        const identity = first?.workflowTaskCompletedEventAttributes?.identity;
        if (identity) add(workflows, identity);
      }),
    ),
  );
  return { sampled: sample.length, activities, workflows };
}
