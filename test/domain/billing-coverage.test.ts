import fc from 'fast-check';
import {
  billedSeats,
  coverageOf,
  type AgreementCoverage,
  type CoverageInput,
} from '../../domain/billing/coverage';
import { COVERAGE_GAPS } from '../../domain/billing/coverage-gaps';
import type { ExistingAddition, LedgerEntry } from '../../domain/billing/types';

const TODAY = '2026-12-07';
const ids = { agreementId: 300, customerId: 'c-acme' };
const addition = (id: number, quantity: number, cancelledDate: string | null = null) =>
  ({ id, productId: 10, quantity, cancelledDate }) satisfies ExistingAddition;
const entry = (additionId: number, sku: string, state: LedgerEntry['state'] = 'active') =>
  ({ agreementId: 300, additionId, sku, productId: 10, customerId: 'c-acme', state }) as const;

describe('billedSeats: what ConnectWise holds for the engine after the writes', () => {
  test('counts open ledger additions, kept ones and left ones (they still bill); not foreign or cancelled ones', () => {
    const existing = [
      addition(1, 30),
      addition(2, 4), // kept beside ours
      addition(3, 9), // foreign: not counted
      addition(4, 7), // left: released under leave, still billing
      addition(7, 5), // the ledger's, billed for the customer who had the agreement before
      addition(5, 2, '2026-12-01T00:00:00Z'), // cancelled before today
      addition(6, 3, '2027-01-01T00:00:00Z'), // cancelled for a later day: still bills
    ];
    const ledger = [
      entry(1, 'bs'),
      entry(2, 'bs', 'kept_separate'),
      entry(4, 'dns', 'left'),
      entry(5, 'dns'),
      entry(6, 'dns'),
      { ...entry(7, 'bs'), customerId: 'c-old' },
    ];
    expect(billedSeats(existing, ledger, [], TODAY, ids)).toEqual([
      { customerId: 'c-acme', sku: 'bs', seats: 34 },
      { customerId: 'c-acme', sku: 'dns', seats: 10 },
      { customerId: 'c-old', sku: 'bs', seats: 5 },
    ]);
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
    expect(seats).toEqual([
      { customerId: 'c-acme', sku: 'bs', seats: 32 },
      { customerId: 'c-acme', sku: 'dns', seats: 11 },
      { customerId: 'c-acme', sku: 'edr', seats: 2 },
    ]);
  });

  test('a cancel dated at the end of the invoiced period still bills until then', () => {
    const v = (quantity: number) => ({ quantity });
    const cancel = [{ action: 'cancel' as const, sku: 'bs', additionId: 1, from: v(30) }];
    const existing = [addition(1, 30)];
    expect(billedSeats(existing, [entry(1, 'bs')], cancel, TODAY, ids, '2026-12-31')).toEqual([
      { customerId: 'c-acme', sku: 'bs', seats: 30 },
    ]);
    expect(billedSeats(existing, [entry(1, 'bs')], cancel, TODAY, ids, TODAY)).toEqual([]);
  });
});

const RUN_AT = new Date('2026-12-07T00:00:00Z');
const agreement = (
  agreementId: number,
  customerId: string,
  over: Partial<AgreementCoverage> = {},
): AgreementCoverage => ({
  agreementId,
  customerId,
  readAt: RUN_AT,
  outcome: 'succeeded',
  reason: null,
  problem: null,
  planned: null,
  at: RUN_AT,
  ...over,
});
const seats = (customerId: string, lines: Record<string, number>) =>
  Object.entries(lines).map(([sku, n]) => ({ customerId, sku, seats: n }));
const day = (d: string) => new Date(`${d}T00:00:00Z`);
const usageOf = (lines: Record<string, number>, asOf = day('2026-12-06')) => ({
  asOf,
  lines: Object.entries(lines).map(([sku, quantity]) => ({ sku, quantity })),
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
    ['c-acme', usageOf({ bs: 30, dns: 10 })],
    ['c-globex', usageOf({ bs: 8 })],
    ['c-initech', usageOf({ bs: 7 })],
    ['c-umbrella', usageOf({ bs: 3 })],
    ['c-hooli', usageOf({ edr: 2 })],
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
  agreements: [
    agreement(300, 'c-acme', { lines: seats('c-acme', { bs: 30, dns: 10 }) }),
    // Skipped this run (cancelled): its seats as the run before read them.
    agreement(303, 'c-globex', {
      lines: seats('c-globex', { bs: 5 }),
      readAt: day('2026-12-01'),
      outcome: 'skipped',
      reason: 'agreement 303 is cancelled',
      problem: 'agreement_ineligible',
    }),
    agreement(310, 'c-hooli', { lines: [] }),
  ],
  notCatalogued: new Set(['edr']),
  ...over,
});

const find = (c: ReturnType<typeof coverageOf>, id: string) =>
  c.customers.find((x) => x.customerId === id)!;

describe('coverageOf: a tenant computed by hand', () => {
  test('each customer, line, gap and total', () => {
    const coverage = coverageOf(baseInput());
    expect(find(coverage, 'c-acme')).toMatchObject({
      gap: null,
      billedAsOf: RUN_AT,
      lines: [
        { sku: 'bs', inUse: 30, billed: 30, difference: 0, gap: null, unbilledAmount: 0 },
        { sku: 'dns', inUse: 10, billed: 10, difference: 0, gap: null, unbilledAmount: 0 },
      ],
    });
    expect(find(coverage, 'c-globex')).toMatchObject({
      gap: 'agreement_ineligible',
      detail: 'agreement 303 is cancelled',
      billedAsOf: day('2026-12-01'),
      lines: [{ sku: 'bs', inUse: 8, billed: 5, difference: 3, unbilledAmount: 12 }],
    });
    expect(find(coverage, 'c-initech')).toMatchObject({
      gap: 'unmapped',
      companyId: null,
      billedAsOf: null,
      lines: [
        { sku: 'bs', inUse: 7, billed: 0, difference: 7, unbilledAmount: 28, gap: 'unmapped' },
      ],
    });
    expect(find(coverage, 'c-umbrella')).toMatchObject({
      gap: 'excluded',
      lines: [{ inUse: 3, billed: 0, unbilledAmount: 12, gap: 'excluded' }],
    });
    expect(find(coverage, 'c-hooli')).toMatchObject({
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
    expect(coverage.totals).toEqual({
      inUse: 30 + 10 + 8 + 7 + 3 + 2,
      billed: 30 + 10 + 5,
      unbilled: 3 + 7 + 3 + 2,
      overBilled: 0,
      unbilledAmount: 12 + 28 + 12,
      unpricedSeats: 2,
      byGap: {
        agreement_ineligible: { unbilled: 3, overBilled: 0, amount: 12 },
        unmapped: { unbilled: 7, overBilled: 0, amount: 28 },
        excluded: { unbilled: 3, overBilled: 0, amount: 12 },
        not_catalogued: { unbilled: 2, overBilled: 0, amount: 0 },
      },
    });
  });

  test('seats ConnectWise still bills count whatever the settings say now', () => {
    // Billing turned off without releasing: the additions still bill.
    const off = coverageOf(baseInput({ billingEnabled: false }));
    expect(find(off, 'c-acme')).toMatchObject({
      gap: null,
      lines: [{ billed: 30 }, { billed: 10 }],
    });
    expect(find(off, 'c-initech').gap).toBe('billing_off');
    // Acme unmapped since the run, its additions not yet released: billed, and matching.
    const mappings = new Map(baseInput().mappings);
    mappings.delete('c-acme');
    const unmapped = coverageOf(baseInput({ mappings }));
    expect(find(unmapped, 'c-acme').lines.map((l) => [l.billed, l.gap])).toEqual([
      [30, null],
      [10, null],
    ]);
    // Acme moved to agreement 301: the old one still bills it until a run releases it.
    const choices = new Map(baseInput().choices);
    choices.set('c-acme', 301);
    const usage = new Map(baseInput().usage);
    usage.set('c-acme', usageOf({ bs: 32, dns: 10 }));
    const moved = coverageOf(baseInput({ choices, usage }));
    expect(find(moved, 'c-acme')).toMatchObject({
      gap: 'not_billed_yet',
      agreementId: 301,
      lines: [
        { sku: 'bs', billed: 30, difference: 2, gap: 'not_billed_yet' },
        { sku: 'dns', billed: 10, gap: null },
      ],
    });
    // A released agreement's leftovers (under leave) bill the customer who had it.
    const agreements = [
      ...baseInput().agreements,
      agreement(305, '', { lines: seats('c-initech', { bs: 7 }) }),
    ];
    expect(find(coverageOf(baseInput({ agreements })), 'c-initech').lines).toMatchObject([
      { billed: 7, difference: 0, gap: null },
    ]);
  });

  test('held, candidates, failures, newer usage, over-billing, no agreement', () => {
    const input = baseInput();
    const held = (over: Partial<AgreementCoverage>) =>
      coverageOf({
        ...input,
        agreements: [
          agreement(300, 'c-acme', { lines: seats('c-acme', { bs: 0, dns: 12 }), ...over }),
        ],
      });
    const candidates = held({ outcome: 'held', reason: 'candidates', planned: { candidate: 1 } });
    expect(find(candidates, 'c-acme').gap).toBe('candidate_waiting');
    expect(find(candidates, 'c-acme').lines.map((l) => [l.sku, l.difference, l.gap])).toEqual([
      ['bs', 30, 'candidate_waiting'],
      ['dns', -2, 'candidate_waiting'],
    ]);
    expect(candidates.totals.overBilled).toBe(2);
    expect(candidates.totals.byGap.candidate_waiting).toEqual({
      unbilled: 30,
      overBilled: 2,
      amount: 120,
    });
    expect(find(held({ outcome: 'held', planned: { update: 1 } }), 'c-acme').gap).toBe('held');
    expect(find(held({ outcome: 'partial', reason: 'refused' }), 'c-acme')).toMatchObject({
      gap: 'write_failed',
      detail: 'refused',
    });

    // Succeeded, but usage arrived after the run: the next run bills it.
    const usage = new Map(input.usage);
    usage.set('c-acme', usageOf({ bs: 31, dns: 9 }, new Date('2026-12-07T01:00:00Z')));
    expect(find(coverageOf({ ...input, usage }), 'c-acme').lines.map((l) => l.gap)).toEqual([
      'usage_changed',
      'over_billed',
    ]);

    const choices = new Map(input.choices);
    choices.delete('c-acme');
    expect(find(coverageOf({ ...input, choices }), 'c-acme').gap).toBe(null);
    const noUsage = new Map(input.usage);
    noUsage.set('c-acme', usageOf({ bs: 31, dns: 10 }));
    expect(find(coverageOf({ ...input, choices, usage: noUsage }), 'c-acme').gap).toBe(
      'no_agreement',
    );
  });

  test('before any run: nothing billed, every mapped and chosen customer is not billed yet', () => {
    const coverage = coverageOf(baseInput({ agreements: [], notCatalogued: new Set() }));
    expect(find(coverage, 'c-acme').gap).toBe('not_billed_yet');
    expect(find(coverage, 'c-initech').gap).toBe('unmapped');
    expect(coverage.totals.billed).toBe(0);
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
    agreement: fc.option(
      fc.record({
        outcome: fc.constantFrom('succeeded', 'skipped', 'held', 'failed', 'partial'),
        billed: fc.option(fc.dictionary(sku, fc.nat(50)), { nil: undefined }),
        problem: fc.constantFrom(null, 'agreement_ineligible', 'usage_stale'),
      }),
      { nil: undefined },
    ),
  });
  const tenant = fc.record({
    enabled: fc.boolean(),
    customers: fc.array(customer, { maxLength: 8 }),
    price: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
  });

  test('totals add up; a line has a gap exactly when used and billed differ; billed is what agreements hold', () => {
    fc.assert(
      fc.property(tenant, (t) => {
        const ids = t.customers.map((_, i) => `c-${i}`);
        const agreements = t.customers.flatMap((c, i) =>
          c.agreement
            ? [
                agreement(300 + i, ids[i]!, {
                  outcome: c.agreement.outcome,
                  problem: c.agreement.problem,
                  ...(c.agreement.billed ? { lines: seats(ids[i]!, c.agreement.billed) } : {}),
                }),
              ]
            : [],
        );
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
            { sku: 'bs', name: 'bs', price: t.price },
            { sku: 'dns', name: 'dns', price: 2 },
          ],
          agreements,
          notCatalogued: new Set(),
        };
        const { customers, totals } = coverageOf(input);
        const all = customers.flatMap((c) => c.lines);
        expect(totals.inUse - totals.billed).toBe(totals.unbilled - totals.overBilled);
        expect(totals.inUse).toBe(all.reduce((n, l) => n + l.inUse, 0));
        const gaps = Object.values(totals.byGap);
        expect(gaps.reduce((n, g) => n + g.unbilled, 0)).toBe(totals.unbilled);
        expect(gaps.reduce((n, g) => n + g.overBilled, 0)).toBe(totals.overBilled);
        const held = agreements.flatMap((a) => a.lines ?? []).reduce((n, l) => n + l.seats, 0);
        expect(totals.billed).toBe(held);
        for (const l of all) {
          expect(l.gap === null).toBe(l.difference === 0);
          expect(COVERAGE_GAPS).toContain(l.gap ?? 'over_billed');
          expect(l.inUse + l.billed).toBeGreaterThan(0);
        }
        const priced = all.reduce((n, l) => n + (l.unbilledAmount ?? 0), 0);
        expect(totals.unbilledAmount).toBeCloseTo(priced, 6);
      }),
      { numRuns: 300 },
    );
  });
});
