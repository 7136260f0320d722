import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('product-mappings');
});
afterAll(() => db?.close());

const repo = () => db.repos.productMappings;
const brief = async (partnerId: string, integrationId: string) =>
  (await repo().list(partnerId, integrationId)).map(({ sku, catalogItemId, source }) => ({
    sku,
    catalogItemId,
    source,
  }));

test('save is an idempotent upsert: saving the same rows again writes nothing', async () => {
  const rows = [
    { sku: 'seat', catalogItemId: 1350, source: 'partner' as const },
    { sku: 'dns', catalogItemId: 1351, source: 'engine' as const },
  ];
  expect(await repo().save('p1', 'i1', rows)).toBe(2);
  const first = await repo().list('p1', 'i1');
  expect(await repo().save('p1', 'i1', rows)).toBe(0);
  expect(await repo().list('p1', 'i1')).toEqual(first);
  expect(first.map((m) => m.sku)).toEqual(['dns', 'seat']);
  expect(first[0]!.updatedAt).toBeInstanceOf(Date);

  expect(
    await repo().save('p1', 'i1', [{ sku: 'seat', catalogItemId: 1353, source: 'partner' }]),
  ).toBe(1);
  const changed = (await repo().list('p1', 'i1')).find((m) => m.sku === 'seat')!;
  expect(changed.catalogItemId).toBe(1353);
  expect(changed.updatedAt.getTime()).toBeGreaterThanOrEqual(first[1]!.updatedAt.getTime());
});

test('lists only the integration of the partner asked for', async () => {
  await repo().save('p2', 'i2', [{ sku: 'seat', catalogItemId: 1, source: 'partner' }]);
  await repo().save('p2', 'other', [{ sku: 'seat', catalogItemId: 2, source: 'partner' }]);
  await repo().save('p3', 'i2', [{ sku: 'seat', catalogItemId: 3, source: 'partner' }]);
  expect(await brief('p2', 'i2')).toEqual([{ sku: 'seat', catalogItemId: 1, source: 'partner' }]);
  expect(await brief('p3', 'i2')).toEqual([{ sku: 'seat', catalogItemId: 3, source: 'partner' }]);
});

test("the engine never replaces a partner's mapping; a partner replaces the engine's", async () => {
  await repo().save('p4', 'i4', [
    { sku: 'seat', catalogItemId: 10, source: 'partner' },
    { sku: 'dns', catalogItemId: 20, source: 'engine' },
  ]);
  expect(
    await repo().save('p4', 'i4', [
      { sku: 'seat', catalogItemId: 11, source: 'engine' },
      { sku: 'dns', catalogItemId: 21, source: 'engine' },
    ]),
  ).toBe(1);
  expect(
    await repo().save('p4', 'i4', [{ sku: 'dns', catalogItemId: 22, source: 'partner' }]),
  ).toBe(1);
  expect(await brief('p4', 'i4')).toEqual([
    { sku: 'dns', catalogItemId: 22, source: 'partner' },
    { sku: 'seat', catalogItemId: 10, source: 'partner' },
  ]);
});

test("an engine save racing a partner's save of a new sku leaves the partner's", async () => {
  await Promise.all([
    repo().save('p5', 'i5', [{ sku: 'seat', catalogItemId: 1, source: 'partner' }]),
    ...Array.from({ length: 5 }, () =>
      repo().save('p5', 'i5', [{ sku: 'seat', catalogItemId: 2, source: 'engine' }]),
    ),
  ]);
  expect(await brief('p5', 'i5')).toEqual([{ sku: 'seat', catalogItemId: 1, source: 'partner' }]);
});

test('remove drops the named skus only; clear drops the whole integration', async () => {
  await repo().save('p6', 'i6', [
    { sku: 'a', catalogItemId: 1, source: 'partner' },
    { sku: 'b', catalogItemId: 2, source: 'engine' },
    { sku: 'c', catalogItemId: 3, source: 'partner' },
  ]);
  await repo().save('p6', 'other', [{ sku: 'a', catalogItemId: 1, source: 'partner' }]);
  expect(await repo().remove('p6', 'i6', ['a', 'b', 'missing'])).toBe(2);
  expect((await brief('p6', 'i6')).map((m) => m.sku)).toEqual(['c']);
  expect(await repo().remove('p6', 'i6', [])).toBe(0);
  expect(await repo().clear('p6', 'i6')).toBe(1);
  expect(await brief('p6', 'i6')).toEqual([]);
  expect(await brief('p6', 'other')).toHaveLength(1);
});
