/**
 * Where a phase's time goes, for the diagnosis under the targets: each activity type's count,
 * busy time and how many ran at once (from the run's Temporal history), and how many ConnectWise
 * calls were in flight on average (from the simulator journal's per-request durations). Pure.
 */
import type { ActivitySpan } from '../common/history';
import type { DbActivity } from '../common/ferretdb-metrics';
import { table } from '../common/table';

/** Most intervals open at one time. */
export function maxInFlight(spans: ReadonlyArray<{ from: number; to: number }>): number {
  const edges = spans.flatMap((s) => [
    [s.from, 1],
    [s.to, -1],
  ]);
  // Ends before starts at the same instant: back-to-back is not overlap.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d!));
  return most;
}

export interface ActivityLine {
  type: string;
  count: number;
  busyMs: number;
  meanMs: number;
  meanQueueMs: number;
  maxInFlight: number;
  spanMs: number;
}

export function activityLines(spans: readonly ActivitySpan[]): ActivityLine[] {
  const types = [...new Set(spans.map((s) => s.type))];
  return types.map((type) => {
    const own = spans.filter((s) => s.type === type);
    const busyMs = own.reduce((n, s) => n + (s.closedMs - s.startedMs), 0);
    return {
      type,
      count: own.length,
      busyMs,
      meanMs: busyMs / own.length,
      meanQueueMs: own.reduce((n, s) => n + (s.startedMs - s.scheduledMs), 0) / own.length,
      maxInFlight: maxInFlight(own.map((s) => ({ from: s.startedMs, to: s.closedMs }))),
      spanMs: Math.max(...own.map((s) => s.closedMs)) - Math.min(...own.map((s) => s.scheduledMs)),
    };
  });
}

/** The journal's requests, reduced to what the diagnosis needs. */
export interface CallTiming {
  kind: string;
  startMs: number;
  durationMs: number;
}

export interface CallLine {
  kind: string;
  count: number;
  meanMs: number;
}

export interface CallSummary {
  lines: CallLine[];
  /** Σ durations ÷ the phase's wall time: ConnectWise calls in flight on average. */
  meanInFlight: number;
  maxInFlight: number;
}

export function callSummary(calls: readonly CallTiming[], wallMs: number): CallSummary {
  const kinds = [...new Set(calls.map((c) => c.kind))].sort();
  const lines = kinds.map((kind) => {
    const own = calls.filter((c) => c.kind === kind);
    return {
      kind,
      count: own.length,
      meanMs: own.reduce((n, c) => n + c.durationMs, 0) / own.length,
    };
  });
  const total = calls.reduce((n, c) => n + c.durationMs, 0);
  return {
    lines,
    meanInFlight: wallMs > 0 ? total / wallMs : 0,
    maxInFlight: maxInFlight(calls.map((c) => ({ from: c.startMs, to: c.startMs + c.durationMs }))),
  };
}

export interface PhaseTimeline {
  key: string;
  wallMs: number;
  activities: ActivityLine[];
  calls: CallSummary;
  cpu: Record<string, number | undefined>;
  db?: DbActivity;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function timelineTable(phases: readonly PhaseTimeline[]): string {
  const rows = phases.flatMap((p) => [
    ...p.activities.map((a) => [
      p.key,
      a.type,
      String(a.count),
      s(a.busyMs),
      `${Math.round(a.meanMs)} ms`,
      `${Math.round(a.meanQueueMs)} ms`,
      String(a.maxInFlight),
      s(a.spanMs),
    ]),
  ]);
  return table(
    [
      'phase',
      'activity',
      'count',
      'busy (Σ)',
      'mean',
      'mean schedule→start',
      'max at once',
      'first scheduled → last closed',
    ],
    rows,
  );
}

export function callTimingTable(phases: readonly PhaseTimeline[]): string {
  const kinds = [...new Set(phases.flatMap((p) => p.calls.lines.map((l) => l.kind)))].sort();
  const rows = kinds.map((k) => [
    k,
    ...phases.map((p) => {
      const line = p.calls.lines.find((l) => l.kind === k);
      return line ? `${Math.round(line.meanMs)} ms` : '–';
    }),
  ]);
  rows.push([
    'ConnectWise calls in flight: mean (Σ durations ÷ wall)',
    ...phases.map((p) => p.calls.meanInFlight.toFixed(1)),
  ]);
  rows.push([
    'ConnectWise calls in flight: most at once',
    ...phases.map((p) => String(p.calls.maxInFlight)),
  ]);
  return table(['simulator-side time per call (incl. latency)', ...phases.map((p) => p.key)], rows);
}

export function cpuTable(phases: readonly PhaseTimeline[]): string {
  const names = [...new Set(phases.flatMap((p) => Object.keys(p.cpu)))];
  const rows = names.map((name) => [
    name,
    ...phases.map((p) => {
      const cpu = p.cpu[name];
      return cpu === undefined ? 'n/a' : `${cpu.toFixed(1)} s`;
    }),
  ]);
  rows.push(['wall time', ...phases.map((p) => s(p.wallMs))]);
  return table(['CPU time during the run', ...phases.map((p) => p.key)], rows);
}
