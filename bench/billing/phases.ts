/**
 * One engine phase: the real billing run workflow (`billingRunWorkflow`, trigger `manual`, a
 * fresh run key and workflow id) started with the client on the worker's task queue, timed from
 * start to result (the worker runs in its own process); ConnectWise calls counted from the
 * simulator's journal, by kind.
 */
import { randomBytes } from 'node:crypto';
import type { BillingRunResult } from '../../domain/billing/run';
import { catalogIdentifier, catalogXRef } from '../../domain/billing/settings';
import type { billingRunWorkflow } from '../../workflows/billing-run';
import { billingRunWorkflowId } from '../../workflows/ids';
import {
  IntegrationIdKey,
  PartnerIdKey,
  SyncKindKey,
  SyncTriggerKey,
} from '../../workflows/search-attributes';
import { cpuSecondsOf } from '../common/children';
import { POSTGRES } from '../common/servers';
import { dbActivity, readMetrics, type DbActivity } from '../common/ferretdb-metrics';
import type { Bench } from './setup';
import { agreementIdOf, PRODUCTS } from './tenant';
import type { CallCounts, PhaseNeeds } from './report';
import { activitiesByWorker, activitySpans } from '../common/history';
import { activityLines, callSummary, type ActivityLine, type CallSummary } from './timeline';

export interface EngineRun {
  result: BillingRunResult;
  wallMs: number;
  calls: CallCounts;
  activities: ActivityLine[];
  /** Activity attempts each worker process started (by Temporal identity). */
  byWorker: Map<string, number>;
  callTimes: CallSummary;
  /** CPU seconds each process used during the run. */
  cpu: Record<string, number | undefined>;
  /** The database's commands and reads during the run (FerretDB's debug metrics), if known. */
  db?: DbActivity;
}

const cpuNow = (bench: Bench) =>
  Object.fromEntries(
    Object.entries(bench.pids).map(
      ([name, pid]) => [name, cpuSecondsOf(pid, name === POSTGRES)] as const,
    ),
  );

/** Every run of this bench is its own "lifecycle chain", so ids never repeat across bench runs. */
const chain = randomBytes(4).toString('hex');
let seq = 0;

export async function runEnginePhase(bench: Bench): Promise<EngineRun> {
  const { client, config, partnerId, integrationId } = bench;
  const runKey = billingRunWorkflowId(integrationId, chain, ++seq);
  await bench.sim.admin.journal.clear();
  const dbBefore = await readMetrics(bench.dbMetrics);
  const cpuBefore = cpuNow(bench);
  const started = performance.now();
  const handle = await client.workflow.start<typeof billingRunWorkflow>('billingRunWorkflow', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: runKey,
    args: [{ partnerId, integrationId, runKey, trigger: 'manual' }],
    typedSearchAttributes: [
      { key: IntegrationIdKey, value: integrationId },
      { key: PartnerIdKey, value: partnerId },
      { key: SyncKindKey, value: 'billing' },
      { key: SyncTriggerKey, value: 'manual' },
    ],
    memo: { trigger: 'manual' },
  });
  // A worker process that dies would leave the run waiting forever: fail the phase instead, and
  // cancel the wait first (a long poll still open when the bench closes its connection retries
  // on the closed channel and crashes the bench before it can report why).
  const waiting = new AbortController();
  const result = await Promise.race([
    client.withAbortSignal(waiting.signal, () => handle.result()),
    bench.worker.died().catch((err: unknown) => {
      waiting.abort();
      throw err;
    }),
  ]);
  const wallMs = performance.now() - started;
  const cpuAfter = cpuNow(bench);
  const cpu = Object.fromEntries(
    Object.entries(cpuAfter).map(([name, after]) => {
      const before = cpuBefore[name];
      return [name, after === undefined || before === undefined ? undefined : after - before];
    }),
  );
  const dbAfter = await readMetrics(bench.dbMetrics);
  const journal = await bench.sim.admin.journal.list();
  const { events } = await handle.fetchHistory();
  return {
    result,
    wallMs,
    cpu,
    ...(dbBefore && dbAfter ? { db: dbActivity(dbBefore, dbAfter) } : {}),
    calls: await bench.sim.admin.journal.counts(),
    activities: activityLines(activitySpans(events ?? [])),
    byWorker: activitiesByWorker(events ?? []),
    callTimes: callSummary(
      journal.map((e) => ({
        kind: `${e.method} ${e.template}`,
        startMs: Date.parse(e.time),
        durationMs: e.durationMs,
      })),
      wallMs,
    ),
  };
}

/**
 * What the coming phase's plan needs, from the simulator's state and the bench's own data (not
 * from the engine): each engine agreement's additions now, the skus still without a catalog item.
 */
export async function needsOf(bench: Bench, writes: number): Promise<PhaseNeeds> {
  const { customers } = bench.opts;
  const additions = await bench.sim.admin.state.additions();
  const perAgreement = new Map<number, number>();
  for (const a of additions)
    perAgreement.set(a.agreementId, (perAgreement.get(a.agreementId) ?? 0) + 1);
  const catalog = await bench.sim.admin.state.catalog();
  const catalogued = (sku: string) =>
    catalog.some(
      (c) =>
        c.integrationXRef === catalogXRef(sku) ||
        c.identifier.toLowerCase() === catalogIdentifier(sku).toLowerCase(),
    );
  return {
    additionsPerAgreement: Array.from(
      { length: customers },
      (_, i) => perAgreement.get(agreementIdOf(i)) ?? 0,
    ),
    writes,
    catalogCreates: PRODUCTS.filter((p) => !catalogued(p.sku)).length,
    catalogReads: 1,
    // The settings name no time zone: the billing day needs ConnectWise's serverTimeZone.
    billingDayReads: 1,
    // Each customer on a company of its own.
    companies: customers,
  };
}
