import fc from 'fast-check';
import { applyPlan } from '../../domain/billing/apply';
import { isOpen, planAgreement, type PlanInput } from '../../domain/billing/plan';
import type { ExistingAddition, PlannedOperation } from '../../domain/billing/types';

const TODAY = '2026-06-15';
const SKUS = ['dx-a', 'dx-b', 'dx-c', 'dx-d'];
const productOf = (sku: string) => 100 + SKUS.indexOf(sku);
const MANAGED = new Map(SKUS.map((s) => [s, productOf(s)]));
const UNMANAGED_PRODUCTS = [900, 901];

const cancelledDate = fc.constantFrom(
  null,
  '2026-06-01T00:00:00Z', // past: closed
  `${TODAY}T00:00:00Z`, // today: closed
  '2026-07-01T00:00:00Z', // later: still open
);
const price = fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined });

const addition = (id: number) =>
  fc.record({
    id: fc.constant(id),
    productId: fc.constantFrom(...SKUS.map(productOf), ...UNMANAGED_PRODUCTS),
    quantity: fc.integer({ min: 0, max: 40 }),
    unitPrice: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
    unitCost: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
    cancelledDate,
  });

const scenario = fc
  .record({
    existing: fc
      .integer({ min: 0, max: 7 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => addition(i + 1)))),
    wanted: fc.uniqueArray(
      fc.record({
        sku: fc.constantFrom(...SKUS),
        quantity: fc.integer({ min: 0, max: 40 }),
        unitPrice: price,
        unitCost: price,
      }),
      { selector: (w) => w.sku, maxLength: SKUS.length },
    ),
    linkMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    zeroUsage: fc.constantFrom('zero' as const, 'cancel' as const, 'leave' as const),
    syncPrices: fc.boolean(),
  })
  .map(({ existing, wanted, linkMask, zeroUsage, syncPrices }): PlanInput => {
    const additions = existing as ExistingAddition[];
    // Some additions of managed products were created or adopted by us before.
    const links = additions
      .filter((a, i) => linkMask[i] && a.productId < 900)
      .map((a) => ({ sku: SKUS[a.productId - 100]!, additionId: a.id }));
    return {
      wanted: wanted.map((w) => ({ ...w, productId: productOf(w.sku) })),
      managed: MANAGED,
      existing: additions,
      links: [...new Map(links.map((l) => [l.sku, l])).values()],
      policy: { zeroUsage, syncPrices },
      today: TODAY,
    };
  });

const openOf = (additions: ExistingAddition[], productId: number) =>
  additions.filter((a) => a.productId === productId && isOpen(a, TODAY));

function run(input: PlanInput) {
  const plan = planAgreement(input);
  let next = 1000;
  const after = applyPlan({ additions: input.existing, links: input.links }, plan, () => ++next);
  return { plan, after };
}

const conflicted = (input: PlanInput) =>
  new Set(SKUS.filter((s) => openOf(input.existing, productOf(s)).length > 1));

test('applying a plan makes every managed sku say exactly what is wanted', () => {
  fc.assert(
    fc.property(scenario, (input) => {
      const { after } = run(input);
      for (const sku of SKUS) {
        if (conflicted(input).has(sku)) continue;
        const want = input.wanted.find((w) => w.sku === sku);
        const open = openOf(after.additions, productOf(sku));
        const before = openOf(input.existing, productOf(sku));
        if (want && want.quantity > 0) {
          expect(open).toHaveLength(1);
          expect(open[0]!.quantity).toBe(want.quantity);
          if (input.policy.syncPrices && want.unitPrice !== undefined)
            expect(open[0]!.unitPrice).toBe(want.unitPrice);
          if (input.policy.syncPrices && want.unitCost !== undefined)
            expect(open[0]!.unitCost).toBe(want.unitCost);
        } else if (input.policy.zeroUsage === 'cancel') {
          expect(open).toEqual([]);
        } else if (input.policy.zeroUsage === 'zero') {
          expect(open.map((a) => a.quantity)).toEqual(before.map(() => 0));
        } else {
          expect(open).toEqual(before);
        }
      }
    }),
    { numRuns: 500 },
  );
});

test('planning again over the result gives only no-ops (and the same conflicts)', () => {
  fc.assert(
    fc.property(scenario, (input) => {
      const { after } = run(input);
      const again = planAgreement({ ...input, existing: after.additions, links: after.links });
      const actions = again.operations.map((o) => `${o.sku}:${o.action}`);
      const expected = SKUS.map((s) => `${s}:${conflicted(input).has(s) ? 'conflict' : 'noop'}`);
      expect(actions).toEqual(expected);
    }),
    { numRuns: 500 },
  );
});

test('no plan leaves two open additions for a product that had at most one', () => {
  fc.assert(
    fc.property(scenario, (input) => {
      const { after } = run(input);
      for (const sku of SKUS) {
        if (conflicted(input).has(sku)) continue;
        expect(openOf(after.additions, productOf(sku)).length).toBeLessThanOrEqual(1);
      }
    }),
    { numRuns: 500 },
  );
});

const writes = (op: PlannedOperation): number[] =>
  op.action === 'create' || op.action === 'noop' || op.action === 'skip' || op.action === 'conflict'
    ? []
    : op.action === 'adopt' && !op.to
      ? []
      : [op.additionId];

test('a conflict is reported and never written; unmanaged additions are never in a plan', () => {
  fc.assert(
    fc.property(scenario, (input) => {
      const { plan, after } = run(input);
      const written = new Set(plan.operations.flatMap(writes));
      for (const a of input.existing) {
        const conflict = conflicted(input).has(SKUS[a.productId - 100] ?? '');
        if (conflict || UNMANAGED_PRODUCTS.includes(a.productId)) {
          expect(written.has(a.id)).toBe(false);
          expect(after.additions.find((x) => x.id === a.id)).toEqual(a);
        }
      }
      const mentioned = plan.operations.flatMap((o) =>
        'additionIds' in o
          ? o.additionIds
          : 'additionId' in o && o.additionId
            ? [o.additionId]
            : [],
      );
      for (const id of mentioned) {
        expect(UNMANAGED_PRODUCTS).not.toContain(
          input.existing.find((a) => a.id === id)?.productId,
        );
      }
    }),
    { numRuns: 500 },
  );
});

describe('examples', () => {
  const base: PlanInput = {
    wanted: [],
    managed: MANAGED,
    existing: [],
    links: [],
    policy: { zeroUsage: 'zero', syncPrices: false },
    today: TODAY,
  };
  const add = (a: Partial<ExistingAddition> & { id: number }): ExistingAddition => ({
    productId: 100,
    quantity: 5,
    cancelledDate: null,
    ...a,
  });
  const opFor = (input: Partial<PlanInput>, sku = 'dx-a') =>
    planAgreement({ ...base, ...input }).operations.find((o) => o.sku === sku);

  test('usage with nothing open creates; usage returning after a cancel creates anew', () => {
    const wanted = [{ sku: 'dx-a', productId: 100, quantity: 7 }];
    expect(opFor({ wanted })).toEqual({
      action: 'create',
      sku: 'dx-a',
      productId: 100,
      to: { quantity: 7 },
    });
    const cancelled = add({ id: 1, cancelledDate: '2026-06-10T00:00:00Z' });
    expect(opFor({ wanted, existing: [cancelled] })?.action).toBe('create');
  });

  test('an addition cancelled for a later day is still open and is updated, not duplicated', () => {
    const existing = [add({ id: 1, cancelledDate: '2026-07-01T00:00:00Z' })];
    const links = [{ sku: 'dx-a', additionId: 1 }];
    expect(
      opFor({ wanted: [{ sku: 'dx-a', productId: 100, quantity: 9 }], existing, links }),
    ).toEqual({
      action: 'update',
      sku: 'dx-a',
      additionId: 1,
      from: { quantity: 5 },
      to: { quantity: 9 },
    });
  });

  test('an open addition of our product that we never linked is adopted', () => {
    const existing = [add({ id: 4 })];
    expect(opFor({ wanted: [{ sku: 'dx-a', productId: 100, quantity: 5 }], existing })).toEqual({
      action: 'adopt',
      sku: 'dx-a',
      additionId: 4,
      from: { quantity: 5 },
    });
  });

  test('zero usage follows the policy: zero, cancel or leave', () => {
    const existing = [add({ id: 1 })];
    const links = [{ sku: 'dx-a', additionId: 1 }];
    const policy = (zeroUsage: 'zero' | 'cancel' | 'leave') => ({ zeroUsage, syncPrices: false });
    expect(opFor({ existing, links, policy: policy('zero') })).toMatchObject({
      action: 'update',
      to: { quantity: 0 },
    });
    expect(opFor({ existing, links, policy: policy('cancel') })).toMatchObject({
      action: 'cancel',
      additionId: 1,
    });
    expect(opFor({ existing, links, policy: policy('leave') })).toEqual({
      action: 'noop',
      sku: 'dx-a',
      additionId: 1,
    });
  });

  test('two skus pointing at one catalog item are skipped with the reason', () => {
    const managed = new Map([
      ['dx-a', 100],
      ['dx-b', 100],
    ]);
    expect(opFor({ managed })).toEqual({
      action: 'skip',
      sku: 'dx-a',
      reason: 'skus dx-a, dx-b all point at catalog item 100',
    });
  });
});
