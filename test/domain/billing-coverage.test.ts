import fc from 'fast-check';
import {
  billedSeats,
  carriedNeeded,
  COVERAGE_GAPS,
  coverageOf,
  type CoverageInput,
  type CoverageResult,
} from '../../domain/billing/coverage';
import type { ExistingAddition, LedgerEntry } from '../../domain/billing/types';

const TODAY = '2026-12-07';
const ids = { agreementId: 300, customerId: 'c-acme' };
const addition = (id: number, quantity: number, cancelledDate: string | null = null) =>
  ({ id, productId: 10, quantity, cancelledDate }) satisfies ExistingAddition;
const entry = (additionId: number, sku: string, state: LedgerEntry['state'] = 'active') =>
  ({ agreementId: 300, additionId, sku, productId: 10, customerId: 'c-acme', state }) as const;

describe('billedSeats: what ConnectWise holds for the engine after the writes', () => {
  test('counts open ledger additions and kept ones; not foreign, left, or cancelled ones', () => {
    const existing = [
      addition(1, 30),
      addition(2, 4), // kept beside ours
      addition(3, 9), // foreign: not counted
      addition(4, 7), // left: released, not the engine's
      addition(5, 2, '2026-12-01T00:00:00Z'), // cancelled before today
      addition(6, 3, '2027-01-01T00:00:00Z'), // cancelled for a later day: still bills
    ];
    const ledger = [
      entry(1, 'bs'),
      entry(2, 'bs', 'kept_separate'),
      entry(4, 'dns', 'left'),
      entry(5, 'dns'),
      entry(6, 'dns'),
    ];
    expect(billedSeats(existing, ledger, [], TODAY, ids)).toEqual({ bs: 34, dns: 3 });
  });

  test('applies what was written: a create, an update, an adopt, a cancel, a release', () => {
    const existing = [addition(1, 30), addition(2, 5), addition(3, 8), addition(4, 6)];
    const ledger = [entry(1, 'bs'), entry(3, 'av'), entry(4, 'mail')];
    const v = (quantity: number) => ({ quantity });
    const seats = billedSeats(
      existing,
      ledger,
      [
        { action: 'update', sku: 'bs', additionId: 1, from: v(30), to: v(32) },
        { action: 'adopt', sku: 'dns', additionId: 2, from: v(5), to: v(11) },
        { action: 'cancel', sku: 'av', additionId: 3, from: v(8) },
        { action: 'create', sku: 'edr', productId: 12, to: v(2) },
        {
          action: 'release',
          sku: 'mail',
          additionId: 4,
          customerId: 'c-acme',
          effect: 'cancel',
          from: v(6),
          reason: 'unmapped',
        },
      ],
      TODAY,
      ids,
    );
    expect(seats).toEqual({ bs: 32, dns: 11, edr: 2 });
  });
});

const baseInput = (over: Partial<CoverageInput> = {}): CoverageInput => ({
  billingEnabled: true,
  customers: [
    { customerId: 'c-acme', name: 'Acme' },
    { customerId: 'c-globex', name: 'Globex' },
    { customerId: 'c-initech', name: 'Initech' },
    { customerId: 'c-umbrella', name: 'Umbrella' },
    { customerId: 'c-hooli', name: 'Hooli' },
  ],
  usage: new Map([
    [
      'c-acme',
      {
        asOf: new Date('2026-12-06T00:00:00Z'),
        lines: [
          { sku: 'bs', quantity: 30 },
          { sku: 'dns', quantity: 10 },
        ],
      },
    ],
    ['c-globex', { asOf: new Date('2026-12-06T00:00:00Z'), lines: [{ sku: 'bs', quantity: 8 }] }],
    ['c-initech', { asOf: new Date('2026-12-06T00:00:00Z'), lines: [{ sku: 'bs', quantity: 7 }] }],
    ['c-umbrella', { asOf: new Date('2026-12-06T00:00:00Z'), lines: [{ sku: 'bs', quantity: 3 }] }],
    ['c-hooli', { asOf: new Date('2026-12-06T00:00:00Z'), lines: [{ sku: 'edr', quantity: 2 }] }],
  ]),
  mappings: new Map<string, number | null>([
    ['c-acme', 250],
    ['c-globex', 254],
    ['c-umbrella', null],
    ['c-hooli', 260],
  ]),
  choices: new Map([
    ['c-acme', 300],
    ['c-globex', 303],
    ['c-hooli', 310],
  ]),
  products: [
    { sku: 'bs', name: 'Browser Security', price: 4 },
    { sku: 'dns', name: 'Secure DNS', price: 1.5 },
    { sku: 'edr', name: 'EDR', price: null },
  ],
  run: {
    startedAt: new Date('2026-12-07T00:00:00Z'),
    notCatalogued: new Set(['edr']),
    results: new Map<string, CoverageResult>([
      [
        'c-acme',
        { agreementId: 300, outcome: 'succeeded', reason: null, billed: { bs: 30, dns: 10 } },
      ],
      [
        'c-globex',
        {
          agreementId: 303,
          outcome: 'skipped',
          reason: 'agreement 303 is cancelled',
          problem: 'agreement_ineligible',
        },
      ],
      ['c-hooli', { agreementId: 310, outcome: 'succeeded', reason: null, billed: {} }],
    ]),
  },
  carried: new Map([['c-globex', { billed: { bs: 5 }, at: new Date('2026-12-01T00:00:00Z') }]]),
  ...over,
});

describe('coverageOf: a tenant computed by hand', () => {
  test('each customer, line, gap and total', () => {
    const { customers, totals } = coverageOf(baseInput());
    const byId = new Map(customers.map((c) => [c.customerId, c]));
    // Acme is billed as used: no gap.
    expect(byId.get('c-acme')).toMatchObject({
      gap: null,
      lines: [
        { sku: 'bs', inUse: 30, billed: 30, difference: 0, gap: null, unbilledAmount: 0 },
        { sku: 'dns', inUse: 10, billed: 10, difference: 0, gap: null, unbilledAmount: 0 },
      ],
    });
    // Globex: agreement ineligible; billed as an earlier run read it (5), 3 seats not billed.
    expect(byId.get('c-globex')).toMatchObject({
      gap: 'agreement_ineligible',
      detail: 'agreement 303 is cancelled',
      billedAsOf: new Date('2026-12-01T00:00:00Z'),
      lines: [{ sku: 'bs', inUse: 8, billed: 5, difference: 3, unbilledAmount: 12 }],
    });
    expect(byId.get('c-initech')).toMatchObject({
      gap: 'unmapped',
      companyId: null,
      billedAsOf: null,
      lines: [
        { sku: 'bs', inUse: 7, billed: 0, difference: 7, unbilledAmount: 28, gap: 'unmapped' },
      ],
    });
    expect(byId.get('c-umbrella')).toMatchObject({
      gap: 'excluded',
      lines: [{ inUse: 3, billed: 0, unbilledAmount: 12, gap: 'excluded' }],
    });
    // Hooli: the product has no catalog item and no price.
    expect(byId.get('c-hooli')).toMatchObject({
      gap: null,
      lines: [
        {
          sku: 'edr',
          inUse: 2,
          billed: 0,
          unitPrice: null,
          unbilledAmount: null,
          gap: 'not_catalogued',
        },
      ],
    });
    expect(totals).toEqual({
      inUse: 30 + 10 + 8 + 7 + 3 + 2,
      billed: 30 + 10 + 5,
      unbilled: 3 + 7 + 3 + 2,
      overBilled: 0,
      unbilledAmount: 12 + 28 + 12,
      unpricedSeats: 2,
      byGap: {
        agreement_ineligible: { seats: 3, amount: 12 },
        unmapped: { seats: 7, amount: 28 },
        excluded: { seats: 3, amount: 12 },
        not_catalogued: { seats: 2, amount: 0 },
      },
    });
  });

  test('billing off, no agreement, held, candidates, failures, newer usage, over-billing', () => {
    const off = coverageOf(baseInput({ billingEnabled: false }));
    expect(new Set(off.customers.map((c) => c.gap))).toEqual(new Set(['billing_off']));

    const input = baseInput();
    const results = new Map(input.run!.results);
    results.set('c-acme', {
      agreementId: 300,
      outcome: 'held',
      reason: 'candidates',
      planned: { candidate: 1, create: 1 },
      billed: { bs: 0, dns: 12 },
    });
    const held = coverageOf({ ...input, run: { ...input.run!, results } });
    const acme = held.customers.find((c) => c.customerId === 'c-acme')!;
    expect(acme.gap).toBe('candidate_waiting');
    expect(acme.lines.map((l) => [l.sku, l.difference, l.gap])).toEqual([
      ['bs', 30, 'candidate_waiting'],
      ['dns', -2, 'candidate_waiting'],
    ]);
    expect(held.totals.overBilled).toBe(2);

    results.set('c-acme', {
      agreementId: 300,
      outcome: 'partial',
      reason: 'refused',
      billed: { bs: 20, dns: 10 },
    });
    const partial = coverageOf({ ...input, run: { ...input.run!, results } });
    expect(partial.customers.find((c) => c.customerId === 'c-acme')!.gap).toBe('write_failed');

    // Succeeded, but usage arrived after the run: the next run bills it.
    const usage = new Map(input.usage);
    usage.set('c-acme', {
      asOf: new Date('2026-12-07T01:00:00Z'),
      lines: [
        { sku: 'bs', quantity: 31 },
        { sku: 'dns', quantity: 9 },
      ],
    });
    const changed = coverageOf({ ...input, usage });
    expect(
      changed.customers.find((c) => c.customerId === 'c-acme')!.lines.map((l) => l.gap),
    ).toEqual(['usage_changed', 'over_billed']);

    const choices = new Map(input.choices);
    choices.delete('c-acme');
    const none = coverageOf({ ...input, choices });
    expect(none.customers.find((c) => c.customerId === 'c-acme')!.gap).toBe('no_agreement');

    // A choice made since the run: its result is of another agreement.
    choices.set('c-acme', 999);
    const since = coverageOf({ ...input, choices });
    const acmeSince = since.customers.find((c) => c.customerId === 'c-acme')!;
    expect(acmeSince.gap).toBe('not_billed_yet');
    expect(acmeSince.lines.map((l) => l.billed)).toEqual([0, 0]);
  });

  test('before any run: every mapped and chosen customer is not billed yet', () => {
    const { run: _run, ...input } = baseInput({ carried: new Map() });
    const { customers } = coverageOf(input);
    expect(customers.find((c) => c.customerId === 'c-acme')!.gap).toBe('not_billed_yet');
    expect(customers.find((c) => c.customerId === 'c-initech')!.gap).toBe('unmapped');
  });

  test('only customers whose latest result did not read the agreement need seats from before', () => {
    expect(carriedNeeded(baseInput().run!.results)).toEqual(['c-globex']);
  });
});

describe('coverageOf: properties', () => {
  const sku = fc.constantFrom('bs', 'dns', 'edr');
  const lines = fc.uniqueArray(fc.record({ sku, quantity: fc.nat(50) }), {
    selector: (l) => l.sku,
    maxLength: 3,
  });
  const customer = fc.record({
    usage: fc.option(lines, { nil: undefined }),
    mapping: fc.constantFrom<number | null | undefined>(250, null, undefined),
    chosen: fc.boolean(),
    result: fc.option(
      fc.record({
        outcome: fc.constantFrom('succeeded', 'skipped', 'held', 'failed', 'partial'),
        billed: fc.option(fc.dictionary(sku, fc.nat(50)), { nil: undefined }),
        problem: fc.constantFrom(undefined, 'agreement_ineligible', 'usage_stale'),
      }),
      { nil: undefined },
    ),
  });
  const tenant = fc.record({
    enabled: fc.boolean(),
    customers: fc.array(customer, { maxLength: 8 }),
    prices: fc.record({ bs: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }) }),
  });

  test('totals add up; a line has a gap exactly when used and billed differ', () => {
    fc.assert(
      fc.property(tenant, (t) => {
        const ids = t.customers.map((_, i) => `c-${i}`);
        const input: CoverageInput = {
          billingEnabled: t.enabled,
          customers: ids.map((customerId) => ({ customerId, name: customerId })),
          usage: new Map(
            t.customers.flatMap((c, i) =>
              c.usage ? [[ids[i]!, { asOf: new Date(0), lines: c.usage }] as const] : [],
            ),
          ),
          mappings: new Map(
            t.customers.flatMap((c, i) =>
              c.mapping === undefined ? [] : [[ids[i]!, c.mapping] as const],
            ),
          ),
          choices: new Map(
            t.customers.flatMap((c, i) => (c.chosen ? [[ids[i]!, 300 + i] as const] : [])),
          ),
          products: [
            { sku: 'bs', name: 'bs', price: t.prices.bs },
            { sku: 'dns', name: 'dns', price: 2 },
          ],
          run: {
            startedAt: new Date(1000),
            notCatalogued: new Set(),
            results: new Map(
              t.customers.flatMap((c, i) =>
                c.result
                  ? [
                      [
                        ids[i]!,
                        {
                          agreementId: 300 + i,
                          outcome: c.result.outcome,
                          reason: null,
                          ...(c.result.problem ? { problem: c.result.problem } : {}),
                          ...(c.result.billed ? { billed: c.result.billed } : {}),
                        },
                      ] as const,
                    ]
                  : [],
              ),
            ),
          },
          carried: new Map(),
        };
        const { customers, totals } = coverageOf(input);
        const all = customers.flatMap((c) => c.lines);
        expect(totals.inUse - totals.billed).toBe(totals.unbilled - totals.overBilled);
        expect(totals.inUse).toBe(all.reduce((n, l) => n + l.inUse, 0));
        const gapSeats = Object.values(totals.byGap).reduce((n, g) => n + g.seats, 0);
        expect(gapSeats).toBe(totals.unbilled + totals.overBilled);
        for (const l of all) {
          expect(l.gap === null).toBe(l.difference === 0);
          expect(COVERAGE_GAPS).toContain(l.gap ?? 'over_billed');
          expect(l.inUse + l.billed).toBeGreaterThan(0);
        }
        // Seats billed only where the customer is mapped, chosen, and the run read the agreement.
        for (const c of customers) {
          if (c.lines.some((l) => l.billed > 0)) {
            expect(t.enabled).toBe(true);
            expect(typeof c.companyId).toBe('number');
            expect(c.agreementId).not.toBeNull();
          }
        }
        // Every unbilled seat is on the bill at its price, or counted as unpriced.
        const priced = all.reduce((n, l) => n + (l.unbilledAmount ?? 0), 0);
        expect(totals.unbilledAmount).toBeCloseTo(priced, 6);
      }),
      { numRuns: 300 },
    );
  });
});
