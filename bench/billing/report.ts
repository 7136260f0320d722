/**
 * The billing benchmark's arithmetic and its printout: the latency floor of a phase, the ratios
 * and the PASS/FAIL of each target of issue 8. Pure (no I/O), so it is unit-tested.
 */
import { seconds, table } from '../common/table';

/** Additions one list request returns at most (ConnectWise's largest pageSize). */
export const ADDITIONS_PER_PAGE = 1000;
/**
 * Agreement ids per `id in (…)` re-check read. ConnectWise's IIS front caps the query string
 * (2,048 bytes by default), and 100 five-digit ids are ~700 bytes once encoded, so the floor
 * assumes reads of 100 (verify against a real tenant).
 */
export const AGREEMENT_IDS_PER_READ = 100;

/** What a phase's plan needs from ConnectWise, as the bench knows it from its own data. */
export interface PhaseNeeds {
  /** Additions on each reconciled agreement when the phase starts. */
  additionsPerAgreement: readonly number[];
  /** Lines that must be created or changed (one POST or PATCH each). */
  writes: number;
  /** Catalog items the run must create (skus with no item yet). */
  catalogCreates: number;
  /** One catalog read finds the items of every sku (by stored ids, or by xref/identifier). */
  catalogReads: number;
  /** `/system/info` for the billing day when the settings name no time zone. */
  billingDayReads: number;
}

export interface Floor {
  /** Calls the plan needs, by part. */
  parts: {
    billingDay: number;
    agreementReads: number;
    catalogReads: number;
    catalogCreates: number;
    additionLists: number;
    writes: number;
  };
  calls: number;
  /** calls × latency ÷ concurrency. */
  wallMs: number;
}

export function floorOf(needs: PhaseNeeds, latencyMs: number, concurrency: number): Floor {
  const agreements = needs.additionsPerAgreement.length;
  const parts = {
    billingDay: needs.billingDayReads,
    agreementReads: Math.ceil(agreements / AGREEMENT_IDS_PER_READ),
    catalogReads: needs.catalogReads,
    catalogCreates: needs.catalogCreates,
    additionLists: needs.additionsPerAgreement.reduce(
      (n, count) => n + Math.max(1, Math.ceil(count / ADDITIONS_PER_PAGE)),
      0,
    ),
    writes: needs.writes,
  };
  const calls = Object.values(parts).reduce((a, b) => a + b, 0);
  return { parts, calls, wallMs: (calls * latencyMs) / concurrency };
}

/** ConnectWise requests per `METHOD /template` (the simulator journal's counts). */
export type CallCounts = Record<string, number>;

export const totalOf = (counts: CallCounts): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

export const writesOf = (counts: CallCounts): number =>
  Object.entries(counts)
    .filter(([kind]) => !kind.startsWith('GET '))
    .reduce((n, [, c]) => n + c, 0);

/** The naive baseline measured on `sample` customers, scaled linearly to `customers`. */
export interface NaiveFigures {
  sample: number;
  customers: number;
  sampleCalls: CallCounts;
  sampleWallMs: number;
}

export const scale = (n: NaiveFigures): number => n.customers / n.sample;
export const naiveCalls = (n: NaiveFigures): number => totalOf(n.sampleCalls) * scale(n);
export const naiveWallMs = (n: NaiveFigures): number => n.sampleWallMs * scale(n);

export type PhaseKey = 'a' | 'b' | 'c';

export const PHASE_TITLES: Record<PhaseKey, string> = {
  a: '(a) first sync',
  b: '(b) no-change resync',
  c: '(c) resync, 10% of quantities changed',
};

export interface PhaseFigures {
  key: PhaseKey;
  calls: CallCounts;
  wallMs: number;
  floor: Floor;
  naive: NaiveFigures;
  /** The run's own words: outcome and summary. */
  outcome: string;
  summary: string;
}

export interface Target {
  name: string;
  value: string;
  limit: string;
  pass: boolean;
}

/** The limits of issue 8. */
export const LIMITS = {
  callsPerFloor: 1.0,
  wallPerFloor: 1.5,
  fasterThanNaive: 10,
  fewerCallsThanNaiveB: 5,
  rssMb: 300,
} as const;

const x = (ratio: number) => `${ratio.toFixed(2)}×`;

export function targetsOf(phases: readonly PhaseFigures[], rssPeakMb: number): Target[] {
  const targets: Target[] = [];
  for (const p of phases) {
    const ratio = totalOf(p.calls) / p.floor.calls;
    targets.push({
      name: `${p.key}: calls vs the floor's calls`,
      value: `${totalOf(p.calls)} / ${p.floor.calls} = ${x(ratio)}`,
      limit: `≤ ${x(LIMITS.callsPerFloor)}`,
      pass: ratio <= LIMITS.callsPerFloor,
    });
  }
  const b = phases.find((p) => p.key === 'b');
  if (b) {
    targets.push({
      name: 'b: writes',
      value: String(writesOf(b.calls)),
      limit: '0',
      pass: writesOf(b.calls) === 0,
    });
  }
  for (const p of phases) {
    const ratio = p.wallMs / p.floor.wallMs;
    targets.push({
      name: `${p.key}: wall time vs the latency floor`,
      value: `${seconds(p.wallMs)} / ${seconds(p.floor.wallMs)} = ${x(ratio)}`,
      limit: `≤ ${x(LIMITS.wallPerFloor)}`,
      pass: ratio <= LIMITS.wallPerFloor,
    });
  }
  for (const p of phases) {
    const ratio = naiveWallMs(p.naive) / p.wallMs;
    targets.push({
      name: `${p.key}: faster than naive (extrapolated)`,
      value: `${seconds(naiveWallMs(p.naive))} / ${seconds(p.wallMs)} = ${x(ratio)}`,
      limit: `≥ ${x(LIMITS.fasterThanNaive)}`,
      pass: ratio >= LIMITS.fasterThanNaive,
    });
  }
  if (b) {
    const ratio = naiveCalls(b.naive) / totalOf(b.calls);
    targets.push({
      name: 'b: fewer calls than naive (extrapolated)',
      value: `${Math.round(naiveCalls(b.naive))} / ${totalOf(b.calls)} = ${x(ratio)}`,
      limit: `≥ ${x(LIMITS.fewerCallsThanNaiveB)}`,
      pass: ratio >= LIMITS.fewerCallsThanNaiveB,
    });
  }
  targets.push({
    name: 'worker RSS peak',
    value: `${rssPeakMb.toFixed(0)} MB`,
    limit: `≤ ${LIMITS.rssMb} MB`,
    pass: rssPeakMb <= LIMITS.rssMb,
  });
  return targets;
}

/** Calls by kind, one column per phase (engine) and the naive sample's. */
export function callsTable(phases: readonly PhaseFigures[]): string {
  const kinds = [...new Set(phases.flatMap((p) => Object.keys(p.calls)))].sort();
  const rows = kinds.map((k) => [k, ...phases.map((p) => String(p.calls[k] ?? 0))]);
  rows.push(['total', ...phases.map((p) => String(totalOf(p.calls)))]);
  return table(['engine calls by kind', ...phases.map((p) => p.key)], rows);
}

export function naiveCallsTable(phases: readonly PhaseFigures[]): string {
  const kinds = [...new Set(phases.flatMap((p) => Object.keys(p.naive.sampleCalls)))].sort();
  const rows = kinds.map((k) => [k, ...phases.map((p) => String(p.naive.sampleCalls[k] ?? 0))]);
  rows.push(['total (sample)', ...phases.map((p) => String(totalOf(p.naive.sampleCalls)))]);
  return table([`naive calls by kind (sample)`, ...phases.map((p) => p.key)], rows);
}

export function summaryTable(phases: readonly PhaseFigures[]): string {
  const rows = phases.map((p) => [
    PHASE_TITLES[p.key],
    String(totalOf(p.calls)),
    String(writesOf(p.calls)),
    seconds(p.wallMs),
    String(p.floor.calls),
    seconds(p.floor.wallMs),
    x(totalOf(p.calls) / p.floor.calls),
    x(p.wallMs / p.floor.wallMs),
    `${Math.round(naiveCalls(p.naive))}`,
    seconds(naiveWallMs(p.naive)),
    x(naiveWallMs(p.naive) / p.wallMs),
  ]);
  return table(
    [
      'phase',
      'calls',
      'writes',
      'wall',
      'floor calls',
      'floor wall',
      'calls/floor',
      'wall/floor',
      'naive calls*',
      'naive wall*',
      'naive/engine wall',
    ],
    rows,
  );
}

export function floorTable(phases: readonly PhaseFigures[]): string {
  const parts = Object.keys(phases[0]?.floor.parts ?? {}) as Array<keyof Floor['parts']>;
  const rows = parts.map((part) => [part, ...phases.map((p) => String(p.floor.parts[part]))]);
  rows.push(['total', ...phases.map((p) => String(p.floor.calls))]);
  return table(['floor: calls the plan needs', ...phases.map((p) => p.key)], rows);
}

export function targetsTable(targets: readonly Target[]): string {
  return table(
    ['target', 'measured', 'limit', 'result'],
    targets.map((t) => [t.name, t.value, t.limit, t.pass ? 'PASS' : 'FAIL']),
  );
}
