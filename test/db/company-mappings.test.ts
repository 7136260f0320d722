import { Types } from 'mongoose';
import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('company-mappings');
});
afterAll(() => db?.close());

const byCustomer = (a: { customerId: string }, b: { customerId: string }) =>
  a.customerId.localeCompare(b.customerId);

test('a thousand mappings are saved in one call, by natural _id, and saved again in place', async () => {
  const repo = db.repos.companyMappings;
  const mappings = Array.from({ length: 1000 }, (_, i) => ({
    customerId: `c-${String(i).padStart(4, '0')}`,
    companyId: i % 7 === 0 ? null : 10_000 + i,
  }));
  await repo.save('p1', 'i1', mappings);
  const changed = mappings.map((m, i) => (i % 2 ? { ...m, companyId: 42 } : m));
  await repo.save('p1', 'i1', changed);
  const listed = await repo.list('p1', 'i1');
  expect(
    listed.map(({ customerId, companyId }) => ({ customerId, companyId })).sort(byCustomer),
  ).toEqual(changed);
  const raw = await db.conn.collection('companymappings').findOne({ customerId: 'c-0001' });
  expect(raw?._id).toBe('p1/i1/c-0001');
});

test('a row saved before natural ids is updated where it is, never doubled', async () => {
  const repo = db.repos.companyMappings;
  await db.conn.collection('companymappings').insertOne({
    _id: new Types.ObjectId(),
    partnerId: 'p2',
    integrationId: 'i2',
    customerId: 'old',
    companyId: 1,
  });
  await repo.save('p2', 'i2', [
    { customerId: 'old', companyId: 2, companyName: 'Two' },
    { customerId: 'new', companyId: 3 },
  ]);
  expect((await repo.list('p2', 'i2')).sort(byCustomer)).toEqual([
    { customerId: 'new', companyId: 3, companyName: undefined },
    { customerId: 'old', companyId: 2, companyName: 'Two' },
  ]);
});
