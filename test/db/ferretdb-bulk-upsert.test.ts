import type { Customer } from '../../db/repositories/vendor';
import { openTestDatabase, type TestDatabase } from '../support/db';

// Regression tests for FerretDB 1.24.2's update deadlock (dev/patches/ferretdb-v1.24.2-update-
// iterator-close.patch): unpatched, every update statement that matched an existing document held
// a SQLite connection until the whole command ended, and at the pool's 100 the next one waited
// forever. The jest timeout is the failure: these finish in a second or two when fixed.
const FINISHES_WITHIN = 30_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('bulk-upsert');
});
afterAll(() => db?.close());

const customers = (prefix: string, count: number, name = 'Customer'): Customer[] =>
  Array.from({ length: count }, (_, i) => ({ customerId: `${prefix}-${i}`, name: `${name} ${i}` }));

test(
  'a bulk upsert of 1,000 existing documents in one command finishes',
  async () => {
    const { vendor } = db.repos;
    expect(await vendor.upsertCustomers('big', customers('c', 1000))).toEqual({
      created: 1000,
      updated: 0,
    });
    expect(await vendor.upsertCustomers('big', customers('c', 1000, 'Renamed'))).toEqual({
      created: 0,
      updated: 1000,
    });
    const names = (await vendor.listCustomers('big')).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('Renamed '))).toHaveLength(1000);
  },
  FINISHES_WITHIN,
);

test(
  '20 concurrent bulk upserts of 100 existing documents each finish',
  async () => {
    const { vendor } = db.repos;
    const partners = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    await Promise.all(partners.map((p) => vendor.upsertCustomers(p, customers('c', 100))));
    const again = await Promise.all(
      partners.map((p) => vendor.upsertCustomers(p, customers('c', 100, 'Renamed'))),
    );
    expect(again).toEqual(partners.map(() => ({ created: 0, updated: 100 })));
  },
  FINISHES_WITHIN,
);
