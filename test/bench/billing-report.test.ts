import {
  floorOf,
  naiveCalls,
  naiveWallMs,
  targetsOf,
  writesOf,
  type PhaseFigures,
} from '../../bench/billing/report';
import { changeShare, initialUsage } from '../../bench/billing/tenant';
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
      },
      100,
      10,
    );
    expect(floor.parts).toEqual({
      billingDay: 1,
      agreementReads: 10,
      catalogReads: 1,
      catalogCreates: 4,
      additionLists: 999 + 3,
      writes: 5000,
    });
    expect(floor.calls).toBe(6018);
    expect(floor.wallMs).toBeCloseTo(60_180);
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
    expect(naiveCalls(b.naive)).toBe(20);
    expect(naiveWallMs(b.naive)).toBe(2000);
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
