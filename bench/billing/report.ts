/**
 * The billing benchmark's arithmetic and its printout: the latency floor of a phase, the ratios
 * and the PASS/FAIL of each target of issue 8, and phase (d)'s floor formula and checks (issue
 * 16). Pure (no I/O), so it is unit-tested.
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
  /** Mapped companies: prepare reads them by id (a renamed or deleted company is told). */
  companies: number;
}

export interface Floor {
  /** Calls the plan needs, by part. */
  parts: {
    billingDay: number;
    companyReads: number;
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
    companyReads: Math.ceil(needs.companies / AGREEMENT_IDS_PER_READ),
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

/**
 * Phase (d)'s plan (issue 16), from the bench's own data and the simulator's state: moved
 * customers, held agreements and hand-made candidates beside ordinary usage changes.
 */
export interface ChangeNeeds {
  /** Agreements chosen now, one per customer (a moved customer's is its new one). */
  chosen: number;
  /** Of those, the moved customers' new agreements (no additions yet). */
  moved: number;
  /** The moved customers' old agreements: reconciled only for their releases. */
  oldAgreements: number;
  /** Additions on each reconciled agreement (chosen and old) when the phase starts. */
  additionsPerAgreement: readonly number[];
  /** One PATCH per addition whose usage changed, on agreements not held. */
  updates: number;
  /** One POST per line of a moved customer, on its new agreement. */
  creates: number;
  /** One PATCH per open addition on a moved customer's old agreement (quantity 0, mark off). */
  releases: number;
  /** Agreements held as pending approvals (safety valve, candidates): listed, never written. */
  held: number;
  /** Agreements whose plan finds a hand-made candidate: from their additions list, no call. */
  candidateChecks: number;
  catalogCreates: number;
  catalogReads: number;
  billingDayReads: number;
  companies: number;
}

export const needsOfChanges = (c: ChangeNeeds): PhaseNeeds => ({
  additionsPerAgreement: c.additionsPerAgreement,
  writes: c.updates + c.creates + c.releases,
  catalogCreates: c.catalogCreates,
  catalogReads: c.catalogReads,
  billingDayReads: c.billingDayReads,
  companies: c.companies,
});

/**
 * Phase (d)'s floor written out: the formula with releases and candidate checks in it, then each
 * part with its numbers.
 */
export function changeFloorFormula(
  c: ChangeNeeds,
  floor: Floor,
  latencyMs: number,
  concurrency: number,
): string {
  const { parts } = floor;
  const paged = parts.additionLists - c.additionsPerAgreement.length;
  const rows = [
    ['billing day', '/system/info (no time zone set)', String(parts.billingDay)],
    [
      'company check',
      `⌈mapped companies ${c.companies} ÷ ${AGREEMENT_IDS_PER_READ} ids per id-in page⌉ (renamed or deleted)`,
      String(parts.companyReads),
    ],
    [
      'agreement look-ups',
      `⌈(chosen ${c.chosen} + old ${c.oldAgreements}) ÷ ${AGREEMENT_IDS_PER_READ} ids per id-in page⌉`,
      String(parts.agreementReads),
    ],
    [
      'catalog',
      `${c.catalogReads} read + ${c.catalogCreates} creates`,
      String(parts.catalogReads + parts.catalogCreates),
    ],
    [
      'additions lists',
      `one per reconciled agreement: chosen ${c.chosen} (${c.moved} new, ${c.held} held) + old ${c.oldAgreements}` +
        (paged > 0 ? ` + ${paged} more pages of ${ADDITIONS_PER_PAGE}` : ''),
      String(parts.additionLists),
    ],
    ['candidate checks', `${c.candidateChecks} agreements × 0 (from their additions list)`, '0'],
    [
      'writes',
      `PATCH per changed addition ${c.updates} + POST per new addition ${c.creates} + ` +
        `PATCH per release ${c.releases} + held agreements ${c.held} × 0`,
      String(parts.writes),
    ],
    [
      'total',
      `wall floor: ${floor.calls} × ${latencyMs} ms ÷ ${concurrency} = ${seconds(floor.wallMs)}`,
      String(floor.calls),
    ],
  ];
  return (
    'floor (d) = billing day + company check + agreement look-ups (chosen + old, id-in pages) + catalog\n' +
    '          + additions lists (chosen + old) + candidate checks (0 calls each)\n' +
    '          + PATCH per changed addition + POST per new addition + PATCH per release' +
    ' (held agreements: 0 writes)\n\n' +
    table(['floor (d): part', 'formula', 'calls'], rows)
  );
}

/** What phase (d) found after its run, against what its data asked for. */
export interface ChangeObserved {
  outcome: string;
  /** The run's own counts: agreements held, operations done. */
  run: { held: number; create: number; update: number; release: number };
  expected: { held: number; create: number; update: number; release: number };
  /** Pending approvals of the integration, and how many are on the agreements meant to be held. */
  pending: { total: number; onHeld: number };
  /** The moved customers' old additions (as many as releases expected): at quantity 0 and open. */
  releasedAtZero: number;
  /** Every other customer's lines on its chosen agreement: one open addition with its usage. */
  billed: { customers: number; lines: number; wrong: number };
  /** The held agreements: additions changed since the run began, write calls sent to them. */
  heldUnwritten: { agreements: number; changed: number; writeCalls: number };
  /** Write calls in the journal, and the floor's (updates + releases are PATCHes). */
  writes: { patch: number; post: number; expectedPatch: number; expectedPost: number };
}

/** Phase (d)'s PASS/FAIL lines beside its calls-vs-floor target. */
export function changeTargets(o: ChangeObserved): Target[] {
  const { run, expected } = o;
  const countsOf = (c: ChangeObserved['run']) =>
    `create ${c.create}, update ${c.update}, release ${c.release}`;
  return [
    {
      name: 'd: outcome',
      value: o.outcome,
      limit: 'partial',
      pass: o.outcome === 'partial',
    },
    {
      name: 'd: agreements held (dropped + candidates)',
      value: String(run.held),
      limit: `= ${expected.held}`,
      pass: run.held === expected.held,
    },
    {
      name: 'd: pending approvals',
      value: `${o.pending.total} (${o.pending.onHeld} on the held agreements)`,
      limit: `= ${expected.held}`,
      pass: o.pending.total === expected.held && o.pending.onHeld === expected.held,
    },
    {
      name: 'd: releases written (quantity 0, mark off)',
      value: `${o.releasedAtZero} of ${expected.release} old additions`,
      limit: `= ${expected.release}`,
      pass: o.releasedAtZero === expected.release,
    },
    {
      name: "d: other customers' additions say their usage",
      value: `${o.billed.lines - o.billed.wrong} / ${o.billed.lines} lines (${o.billed.customers} customers)`,
      limit: 'all',
      pass: o.billed.wrong === 0 && o.billed.lines > 0,
    },
    {
      name: 'd: held agreements not written',
      value: `${o.heldUnwritten.changed} additions changed, ${o.heldUnwritten.writeCalls} write calls (${o.heldUnwritten.agreements} agreements)`,
      limit: '0',
      pass: o.heldUnwritten.changed === 0 && o.heldUnwritten.writeCalls === 0,
    },
    {
      name: 'd: writes by kind',
      value: `PATCH ${o.writes.patch}, POST ${o.writes.post}`,
      limit: `= PATCH ${o.writes.expectedPatch}, POST ${o.writes.expectedPost}`,
      pass: o.writes.patch === o.writes.expectedPatch && o.writes.post === o.writes.expectedPost,
    },
    {
      name: "d: the run's counts",
      value: countsOf(run),
      limit: `= ${countsOf(expected)}`,
      pass:
        run.create === expected.create &&
        run.update === expected.update &&
        run.release === expected.release,
    },
  ];
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

export type PhaseKey = 'a' | 'b' | 'c' | 'd';

export const PHASE_TITLES: Record<PhaseKey, string> = {
  a: '(a) first sync',
  b: '(b) no-change resync',
  c: '(c) resync, 10% of quantities changed',
  d: '(d) moves, safety-valve holds, candidates',
};

export interface PhaseFigures {
  key: PhaseKey;
  calls: CallCounts;
  wallMs: number;
  floor: Floor;
  /** The naive baseline beside the phase; none for (d). */
  naive?: NaiveFigures;
  /** The run's own words: outcome and summary. */
  outcome: string;
  summary: string;
  /** Phase (d)'s checks (changeTargets). */
  checks?: Target[];
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
  const withNaive = phases.filter(
    (p): p is PhaseFigures & { naive: NaiveFigures } => p.naive !== undefined,
  );
  for (const p of withNaive) {
    const ratio = p.wallMs / p.floor.wallMs;
    targets.push({
      name: `${p.key}: wall time vs the latency floor`,
      value: `${seconds(p.wallMs)} / ${seconds(p.floor.wallMs)} = ${x(ratio)}`,
      limit: `≤ ${x(LIMITS.wallPerFloor)}`,
      pass: ratio <= LIMITS.wallPerFloor,
    });
  }
  for (const p of withNaive) {
    const ratio = naiveWallMs(p.naive) / p.wallMs;
    targets.push({
      name: `${p.key}: faster than naive (extrapolated)`,
      value: `${seconds(naiveWallMs(p.naive))} / ${seconds(p.wallMs)} = ${x(ratio)}`,
      limit: `≥ ${x(LIMITS.fasterThanNaive)}`,
      pass: ratio >= LIMITS.fasterThanNaive,
    });
  }
  if (b?.naive) {
    const ratio = naiveCalls(b.naive) / totalOf(b.calls);
    targets.push({
      name: 'b: fewer calls than naive (extrapolated)',
      value: `${Math.round(naiveCalls(b.naive))} / ${totalOf(b.calls)} = ${x(ratio)}`,
      limit: `≥ ${x(LIMITS.fewerCallsThanNaiveB)}`,
      pass: ratio >= LIMITS.fewerCallsThanNaiveB,
    });
  }
  for (const p of phases) targets.push(...(p.checks ?? []));
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
  const measured = phases.filter(
    (p): p is PhaseFigures & { naive: NaiveFigures } => p.naive !== undefined,
  );
  const kinds = [...new Set(measured.flatMap((p) => Object.keys(p.naive.sampleCalls)))].sort();
  const rows = kinds.map((k) => [k, ...measured.map((p) => String(p.naive.sampleCalls[k] ?? 0))]);
  rows.push(['total (sample)', ...measured.map((p) => String(totalOf(p.naive.sampleCalls)))]);
  return table([`naive calls by kind (sample)`, ...measured.map((p) => p.key)], rows);
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
    ...(p.naive
      ? [
          `${Math.round(naiveCalls(p.naive))}`,
          seconds(naiveWallMs(p.naive)),
          x(naiveWallMs(p.naive) / p.wallMs),
        ]
      : ['–', '–', '–']),
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
