import fc from 'fast-check';
import type { KeyPage, KeyPageRequest } from '../../db/page';
import { openTestDatabase, type TestDatabase } from '../support/db';

/**
 * The set lists (customers, products, their mappings, a run's results) page by keyset on their
 * key: walking the pages gives each row once, in key order, only the partner's own, whatever the
 * page size; rows written between two pages neither repeat nor hide another.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('key-paging');
});
afterAll(() => db?.close());

async function walk<T>(
  read: (page: KeyPageRequest) => Promise<KeyPage<T>>,
  limit: number,
  between: (pageNumber: number) => Promise<void> = async () => {},
): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const page = await read({ after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    if (page.next === null) return all;
    after = page.next;
    await between(n);
  }
  throw new Error('the pages never ended');
}

const ids = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('set lists page by key', () => {
  test('customers: every one once, in id order, whatever the page size; never another partner’s', async () => {
    const r = db.repos;
    const mine = ids(23, 'c-');
    await r.vendor.upsertCustomers(
      'pk-1',
      mine.map((customerId) => ({ customerId, name: `Name of ${customerId}` })),
    );
    await r.vendor.upsertCustomers('pk-2', [{ customerId: 'c-005', name: 'Other' }]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), async (limit) => {
        const seen = await walk((p) => r.vendor.pageCustomers('pk-1', p), limit);
        expect(seen.map((c) => c.customerId)).toEqual(mine);
        expect(seen.every((c) => c.name.startsWith('Name of'))).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  test('a customer added behind the cursor is not repeated, one ahead of it is listed', async () => {
    const r = db.repos;
    await r.vendor.upsertCustomers(
      'pk-3',
      ['b', 'd', 'f', 'h'].map((customerId) => ({ customerId, name: customerId })),
    );
    const seen = await walk(
      (p) => r.vendor.pageCustomers('pk-3', p),
      2,
      async () => {
        await r.vendor.upsertCustomers('pk-3', [
          { customerId: 'a', name: 'a' },
          { customerId: 'g', name: 'g' },
        ]);
      },
    );
    expect(seen.map((c) => c.customerId)).toEqual(['b', 'd', 'f', 'g', 'h']);
  });

  test('products by sku', async () => {
    const r = db.repos;
    const skus = ids(7, 'sku-');
    await r.vendor.upsertProducts(
      'pk-4',
      skus.map((sku) => ({ sku, name: sku, description: '', price: 1, cost: 0.5 })),
    );
    const seen = await walk((p) => r.vendor.pageProducts('pk-4', p), 3);
    expect(seen.map((p) => p.sku)).toEqual(skus);
  });

  test("a page's mappings: exactly those of the page's customers or products", async () => {
    const r = db.repos;
    await r.companyMappings.save('pk-5', 'i-1', [
      { customerId: 'a', companyId: 1 },
      { customerId: 'b', companyId: null },
      { customerId: 'c', companyId: 3 },
      { customerId: 'd', companyId: 4 },
    ]);
    await r.companyMappings.save('pk-5', 'i-2', [{ customerId: 'b', companyId: 9 }]);
    const first = await r.companyMappings.forCustomerRange('pk-5', 'i-1', { through: 'b' });
    expect(first.map((m) => [m.customerId, m.companyId])).toEqual([
      ['a', 1],
      ['b', null],
    ]);
    const second = await r.companyMappings.forCustomerRange('pk-5', 'i-1', {
      after: 'b',
      through: 'c',
    });
    expect(second.map((m) => m.customerId)).toEqual(['c']);

    await r.productMappings.save('pk-5', 'i-1', [
      { sku: 'x', catalogItemId: 10, source: 'partner' },
      { sku: 'y', catalogItemId: 11, source: 'engine' },
    ]);
    const products = await r.productMappings.forSkuRange('pk-5', 'i-1', {
      after: 'x',
      through: 'z',
    });
    expect(products.map((m) => m.sku)).toEqual(['y']);
  });

  test("a run's results: every one once, none of another run, integration or partner", async () => {
    const r = db.repos;
    const ref = { partnerId: 'pk-6', integrationId: 'i-1', runKey: 'billing-run:i-1:r.1' };
    const outcomes = Array.from({ length: 9 }, (_, i) => ({
      customerId: `c-${i}`,
      agreementId: 100 + i,
      outcome: 'succeeded' as const,
      counts: { noop: 1 },
    }));
    await r.billingResults.record(ref, outcomes);
    await r.billingResults.recordSkipped(ref, [
      { customerId: 'c-skip', agreementId: null, reason: 'not mapped' },
    ]);
    // Neighbours whose ids sort right beside the run's.
    await r.billingResults.record({ ...ref, runKey: 'billing-run:i-1:r.10' }, outcomes);
    await r.billingResults.record({ ...ref, runKey: 'billing-run:i-1:r.' }, outcomes);
    await r.billingResults.record({ ...ref, integrationId: 'i-1/x' }, outcomes);
    await r.billingResults.record({ ...ref, partnerId: 'pk-60' }, outcomes);
    for (const limit of [1, 2, 4, 10, 500]) {
      const seen = await walk(
        (p) => r.billingResults.pageForRun('pk-6', 'i-1', ref.runKey, p),
        limit,
      );
      expect(seen.map((s) => s.customerId).sort()).toEqual([
        ...outcomes.map((o) => o.customerId),
        'c-skip',
      ]);
    }
    // A cursor from outside the run reads nothing of another run.
    const foreign = await r.billingResults.pageForRun('pk-6', 'i-1', ref.runKey, {
      after: 'pk-6/i-1/billing-run%3Ai-1%3Ar.2/',
      limit: 50,
    });
    expect(foreign.items).toEqual([]);
  });
});
