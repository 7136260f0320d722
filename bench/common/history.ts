/** Activity executions read from a workflow's Temporal history. Pure. */
import type { temporal } from '@temporalio/proto';

export interface ActivitySpan {
  type: string;
  scheduledMs: number;
  startedMs: number;
  closedMs: number;
}

/** An event's time, in epoch milliseconds. */
export const eventMs = (ts: temporal.api.history.v1.IHistoryEvent['eventTime']): number =>
  ts ? Number(ts.seconds ?? 0) * 1000 + Math.round((ts.nanos ?? 0) / 1e6) : 0;

/** Activity executions of a history, scheduled → started → closed (last attempt). */
export function activitySpans(events: temporal.api.history.v1.IHistoryEvent[]): ActivitySpan[] {
  const byScheduled = new Map<string, Partial<ActivitySpan>>();
  const key = (id: unknown) => String(id);
  for (const e of events) {
    const t = eventMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      byScheduled.set(key(e.eventId), {
        type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?',
        scheduledMs: t,
      });
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const span = byScheduled.get(key(started.scheduledEventId));
      if (span) span.startedMs = t;
    }
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    if (closed) {
      const span = byScheduled.get(key(closed.scheduledEventId));
      if (span) span.closedMs = t;
    }
  }
  return [...byScheduled.values()].flatMap((s) =>
    s.type !== undefined &&
    s.scheduledMs !== undefined &&
    s.startedMs !== undefined &&
    s.closedMs !== undefined
      ? [s as ActivitySpan]
      : [],
  );
}

/** How many activity attempts each worker started (by its Temporal identity, `<pid>@<host>`). */
export function activitiesByWorker(
  events: temporal.api.history.v1.IHistoryEvent[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const identity = e.activityTaskStartedEventAttributes?.identity;
    if (identity) counts.set(identity, (counts.get(identity) ?? 0) + 1);
  }
  return counts;
}
