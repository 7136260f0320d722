/**
 * Where accepted → created goes, for the diagnosis under the targets: the Temporal histories of
 * a sample of the events that got a ticket, cut into the waits of a new event's workflow (started,
 * its first workflow task queued, then that task running the open step).
 */
import pLimit from 'p-limit';
import type { temporal } from '@temporalio/proto';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { eventMs } from '../common/history';
import { table } from '../common/table';
import type { TrackedEvent } from './load';
import { percentile } from './report';
import type { TicketBench } from './setup';

export const SEGMENTS = [
  'accepted (202) → workflow started (negative: started first)',
  'workflow started → its first workflow task started (queued for the worker)',
  'first workflow task: the open step ran (local: begin + lookup + create + database)',
] as const;

type Segment = (typeof SEGMENTS)[number];

const WORKFLOW_TASK_STARTED = 6;
const MARKER_RECORDED = 25;

/**
 * One new event's segments from its history, or undefined without its open step. The open step
 * is a local activity (workflows/ticket-steps.ts): it runs inside the first workflow task, whose
 * completion records it as a marker.
 */
export function segmentsOf(
  events: temporal.api.history.v1.IHistoryEvent[],
  acceptedAt: number,
): Record<Segment, number> | undefined {
  const started = events[0] ? eventMs(events[0].eventTime) : undefined;
  const task = events.find((e) => Number(e.eventType) === WORKFLOW_TASK_STARTED);
  const marker = events.find((e) => Number(e.eventType) === MARKER_RECORDED);
  if (started === undefined || !task || !marker) return undefined;
  const taskMs = eventMs(task.eventTime);
  return {
    [SEGMENTS[0]]: started - acceptedAt,
    [SEGMENTS[1]]: taskMs - started,
    [SEGMENTS[2]]: eventMs(marker.eventTime) - taskMs,
  };
}

export interface Breakdown {
  sample: number;
  /** Per segment: p50 and p99 over the sample, in ms. */
  rows: Array<{ segment: Segment; p50: number; p99: number }>;
}

/** Up to `size` events spread over the load (every k-th of those that got a ticket). */
export async function breakdownOf(
  bench: TicketBench,
  withTicket: readonly TrackedEvent[],
  size: number,
): Promise<Breakdown> {
  const step = Math.max(1, Math.ceil(withTicket.length / Math.max(1, size)));
  const sample = withTicket.filter((_, i) => i % step === 0);
  const limit = pLimit(8);
  const found = await Promise.all(
    sample.map((e) =>
      limit(async () => {
        const handle = bench.servers.client.workflow.getHandle(
          ticketWorkflowId(bench.integrationId, e.key),
        );
        const history = await handle.fetchHistory().catch(() => undefined);
        return history?.events ? segmentsOf(history.events, e.acceptedAt!) : undefined;
      }),
    ),
  );
  const measured = found.filter((f): f is Record<Segment, number> => f !== undefined);
  return {
    sample: measured.length,
    rows: SEGMENTS.map((segment) => {
      const values = measured.map((m) => m[segment]);
      return { segment, p50: percentile(values, 50), p99: percentile(values, 99) };
    }),
  };
}

export function breakdownTable(b: Breakdown): string {
  const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : `${Math.round(n)} ms`);
  return table(
    [`a new event's workflow (${b.sample} histories)`, 'p50', 'p99'],
    b.rows.map((r) => [r.segment, ms(r.p50), ms(r.p99)]),
  );
}
