import {
  changeFloorFormula,
  changeTargets,
  floorOf,
  needsOfChanges,
  naiveCalls,
  naiveWallMs,
  summaryTable,
  targetsOf,
  writesOf,
  type ChangeNeeds,
  type ChangeObserved,
  type PhaseFigures,
} from '../../bench/billing/report';
import {
  applyChangeUsage,
  changeGroups,
  changeShare,
  droppedQuantity,
  initialUsage,
} from '../../bench/billing/tenant';
import { callSummary, maxInFlight } from '../../bench/billing/timeline';

describe('billing benchmark arithmetic (bench/billing/)', () => {
  test('the floor: one list per agreement (pages of 1000), writes, re-check reads of 100, catalog', () => {
    const floor = floorOf(
      {
        additionsPerAgreement: [...Array<number>(999).fill(0), 2500],
        writes: 5000,
        catalogCreates: 4,
        catalogReads: 1,
        billingDayReads: 1,
        companies: 1000,
      },
      100,
      10,
    );
    expect(floor.parts).toEqual({
      billingDay: 1,
      companyReads: 10,
      agreementReads: 10,
      catalogReads: 1,
      catalogCreates: 4,
      additionLists: 999 + 3,
      writes: 5000,
    });
    expect(floor.calls).toBe(6028);
    expect(floor.wallMs).toBeCloseTo(60_280);
  });

  const phase = (key: 'a' | 'b', calls: Record<string, number>, wallMs: number): PhaseFigures => ({
    key,
    calls,
    wallMs,
    floor: floorOf(
      {
        additionsPerAgreement: [0, 0],
        writes: 2,
        catalogCreates: 0,
        catalogReads: 0,
        billingDayReads: 0,
        companies: 0,
      },
      100,
      10,
    ),
    naive: {
      sample: 1,
      customers: 2,
      sampleCalls: { 'GET /x': 5, 'PATCH /x/{id}': 5 },
      sampleWallMs: 1000,
    },
    outcome: 'succeeded',
    summary: '',
  });

  test('naive figures scale linearly; targets pass and fail at their limits', () => {
    const b = phase('b', { 'GET /x': 2, 'PATCH /x/{id}': 2 }, 60);
    expect(naiveCalls(b.naive!)).toBe(20);
    expect(naiveWallMs(b.naive!)).toBe(2000);
    expect(writesOf(b.calls)).toBe(2);
    const targets = targetsOf([b], 300);
    const result = Object.fromEntries(targets.map((t) => [t.name, t.pass]));
    expect(result).toEqual({
      "b: calls vs the floor's calls": true, // 4 calls, floor 5 (1 re-check read, 2 lists, 2 writes)
      'b: writes': false,
      'b: wall time vs the latency floor': true, // 60 ms ≤ 1.5 × 50 ms
      'b: faster than naive (extrapolated)': true,
      'b: fewer calls than naive (extrapolated)': true, // 20 / 4 = 5
      'worker RSS peak': true,
    });
    expect(targetsOf([phase('a', { 'GET /x': 6 }, 76)], 301).map((t) => t.pass)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  // Phase (d) on 1,000 customers: 50 moved, 50 dropped, 20 candidates, 880 with one line changed.
  const changeNeeds: ChangeNeeds = {
    chosen: 1000,
    moved: 50,
    oldAgreements: 50,
    additionsPerAgreement: [
      ...Array<number>(950).fill(5),
      ...Array<number>(50).fill(0),
      ...Array<number>(50).fill(5),
    ],
    updates: 880,
    creates: 250,
    releases: 250,
    held: 70,
    candidateChecks: 20,
    catalogCreates: 0,
    catalogReads: 1,
    billingDayReads: 1,
    companies: 1000,
  };

  test("(d)'s floor: lists of chosen and old agreements, id-in pages over both, writes by kind, candidate checks free", () => {
    const floor = floorOf(needsOfChanges(changeNeeds), 100, 10);
    expect(floor.parts).toEqual({
      billingDay: 1,
      companyReads: 10, // ⌈1,000 / 100⌉
      agreementReads: 11, // ⌈1,050 / 100⌉
      catalogReads: 1,
      catalogCreates: 0,
      additionLists: 1050,
      writes: 880 + 250 + 250,
    });
    expect(floor.calls).toBe(1 + 10 + 11 + 1 + 1050 + 1380);
    const formula = changeFloorFormula(changeNeeds, floor, 100, 10);
    expect(formula).toContain('PATCH per release');
    expect(formula).toContain('candidate checks');
    expect(formula).toMatch(/⌈\(chosen 1000 \+ old 50\) ÷ 100 ids per id-in page⌉ +\| 11 /);
    expect(formula).toMatch(
      /PATCH per changed addition 880 \+ POST per new addition 250 \+ PATCH per release 250 \+ held agreements 70 × 0 +\| 1380 /,
    );
    expect(formula).toContain('20 agreements × 0 (from their additions list)');
    expect(formula).toContain(`wall floor: ${floor.calls} × 100 ms ÷ 10 = 24.5 s`);
    expect(formula).toMatch(
      /⌈mapped companies 1000 ÷ 100 ids per id-in page⌉ \(renamed or deleted\) +\| 10 /,
    );
  });

  const observed = (over: Partial<ChangeObserved> = {}): ChangeObserved => ({
    outcome: 'partial',
    run: { held: 70, create: 250, update: 880, release: 250 },
    expected: { held: 70, create: 250, update: 880, release: 250 },
    pending: { total: 70, onHeld: 70 },
    releasedAtZero: 250,
    billed: { customers: 930, lines: 4650, wrong: 0 },
    heldUnwritten: { agreements: 70, changed: 0, writeCalls: 0 },
    writes: { patch: 1130, post: 250, expectedPatch: 1130, expectedPost: 250 },
    ...over,
  });

  test("(d)'s checks pass when the run did what the data asked, and each fails on its own", () => {
    expect(changeTargets(observed()).every((t) => t.pass)).toBe(true);
    const failing = (o: ChangeObserved) =>
      changeTargets(o)
        .filter((t) => !t.pass)
        .map((t) => t.name);
    expect(failing(observed({ outcome: 'succeeded' }))).toEqual(['d: outcome']);
    expect(failing(observed({ pending: { total: 71, onHeld: 70 } }))).toEqual([
      'd: pending approvals',
    ]);
    expect(failing(observed({ releasedAtZero: 249 }))).toEqual([
      'd: releases written (quantity 0, mark off)',
    ]);
    expect(failing(observed({ billed: { customers: 930, lines: 4650, wrong: 1 } }))).toEqual([
      "d: other customers' additions say their usage",
    ]);
    expect(
      failing(observed({ heldUnwritten: { agreements: 70, changed: 0, writeCalls: 1 } })),
    ).toEqual(['d: held agreements not written']);
    expect(
      failing(observed({ run: { held: 69, create: 250, update: 880, release: 250 } })),
    ).toEqual(['d: agreements held (dropped + candidates)']);
  });

  test('(d) has no naive baseline: no naive targets, dashes in the summary; its checks are targets', () => {
    const floor = floorOf(needsOfChanges(changeNeeds), 100, 10);
    const d: PhaseFigures = {
      key: 'd',
      calls: { 'GET /x': floor.calls },
      wallMs: 30_000,
      floor,
      outcome: 'partial',
      summary: '',
      checks: changeTargets(observed()),
    };
    const names = targetsOf([d], 200).map((t) => t.name);
    expect(names[0]).toBe("d: calls vs the floor's calls");
    expect(names.some((n) => n.includes('naive') || n.includes('wall time'))).toBe(false);
    expect(names).toContain('d: pending approvals');
    expect(names.at(-1)).toBe('worker RSS peak');
    expect(summaryTable([d])).toContain('| – ');
  });

  test("(d)'s groups: 5% moved, 5% dropped, 2% candidates, the rest changed, disjoint and stable", () => {
    const g = changeGroups(1000);
    expect([g.moved.length, g.dropped.length, g.candidate.length, g.changed.length]).toEqual([
      50, 50, 20, 880,
    ]);
    const all = [...g.moved, ...g.dropped, ...g.candidate, ...g.changed];
    expect(new Set(all).size).toBe(1000);
    expect(changeGroups(1000)).toEqual(g);
    // A small run still has every case.
    const small = changeGroups(60);
    expect([small.moved.length, small.dropped.length, small.candidate.length]).toEqual([3, 3, 1]);
  });

  test("(d)'s usage: the dropped fall by more than half, one line of the others changes, the moved stay", () => {
    const usage = initialUsage(0, 100);
    const before = new Map([...usage].map(([i, l]) => [i, new Map(l)]));
    const g = changeGroups(100);
    const { customers, changedSku } = applyChangeUsage(usage, g);
    const total = (l: Map<string, number>) => [...l.values()].reduce((a, b) => a + b, 0);
    for (const i of g.dropped) {
      expect(total(usage.get(i)!)).toBeLessThan(total(before.get(i)!) / 2);
      expect(usage.get(i)!.get('dlp')).toBe(droppedQuantity(before.get(i)!.get('dlp')!));
    }
    for (const i of g.moved) expect(usage.get(i)).toEqual(before.get(i));
    for (const i of [...g.changed, ...g.candidate]) {
      const diff = [...usage.get(i)!].filter(([sku, q]) => before.get(i)!.get(sku) !== q);
      expect(diff.map(([sku]) => sku)).toEqual([changedSku.get(i)]);
      expect(diff[0]![1]).toBeGreaterThan(before.get(i)!.get(changedSku.get(i)!)!);
    }
    expect(customers).toHaveLength(100 - g.moved.length);
  });

  test('10% of lines change, each to another quantity, the same every run', () => {
    const usage = initialUsage(0, 20);
    const before = new Map([...usage].map(([i, l]) => [i, new Map(l)]));
    const { lines, customers } = changeShare(usage, 0.1);
    expect(lines).toBe(10);
    let changed = 0;
    for (const [i, l] of usage)
      for (const [sku, q] of l) if (before.get(i)?.get(sku) !== q) changed += 1;
    expect(changed).toBe(10);
    expect(customers.size).toBeGreaterThan(1);
    expect(initialUsage(0, 20)).toEqual(before);
  });

  test('calls in flight: the mean from durations, the most from overlaps', () => {
    expect(
      maxInFlight([
        { from: 0, to: 10 },
        { from: 10, to: 20 },
        { from: 5, to: 15 },
      ]),
    ).toBe(2);
    const summary = callSummary(
      [
        { kind: 'GET /a', startMs: 0, durationMs: 100 },
        { kind: 'GET /a', startMs: 0, durationMs: 100 },
        { kind: 'POST /a', startMs: 100, durationMs: 200 },
      ],
      200,
    );
    expect(summary.meanInFlight).toBe(2);
    expect(summary.maxInFlight).toBe(2);
    expect(summary.lines).toEqual([
      { kind: 'GET /a', count: 2, meanMs: 100 },
      { kind: 'POST /a', count: 1, meanMs: 200 },
    ]);
  });
});
