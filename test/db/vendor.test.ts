import { retryOnDuplicateKey } from '../../db/retry-duplicate';
import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('vendor');
});
afterAll(() => db?.close());

const at = (iso: string) => new Date(iso);
const line = (sku: string, quantity: number, asOf = at('2026-11-01T00:00:00Z')) => ({
  sku,
  quantity,
  asOf,
});

describe('racing upserts', () => {
  test('identical bulk upserts racing on new documents all succeed and store each once', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ customerId: `c-${i}`, name: `C ${i}` }));
    // Counts are not asserted: a racer that lost an insert retries and sees it as existing.
    await Promise.all(
      Array.from({ length: 10 }, () => db.repos.vendor.upsertCustomers('race', rows)),
    );
    const stored = await db.repos.vendor.listCustomers('race');
    expect(stored.map((c) => c.customerId).sort()).toEqual(rows.map((r) => r.customerId).sort());
  });
});

describe('usage sets', () => {
  const vendor = () => db.repos.vendor;

  test('a push replaces the whole set: a product left out is gone, and an empty set is kept', async () => {
    await vendor().replaceUsage('p1', 'c1', {
      asOf: at('2026-11-01T00:00:00Z'),
      lines: [line('seat', 10), line('dlp', 3)],
    });
    await vendor().replaceUsage('p1', 'c1', {
      asOf: at('2026-11-02T00:00:00Z'),
      lines: [line('seat', 12, at('2026-11-02T00:00:00Z'))],
    });
    expect(await vendor().getUsage('p1', 'c1')).toEqual({
      asOf: at('2026-11-02T00:00:00Z'),
      lines: [line('seat', 12, at('2026-11-02T00:00:00Z'))],
    });
    const empty = { asOf: at('2026-11-03T00:00:00Z'), lines: [] };
    expect(await vendor().replaceUsage('p1', 'c1', empty)).toEqual({
      applied: true,
      asOf: empty.asOf,
    });
    expect(await vendor().getUsage('p1', 'c1')).toEqual(empty);
  });

  test('an older set is ignored and the stored asOf returned; the same asOf applies again', async () => {
    const newer = { asOf: at('2026-11-05T00:00:00Z'), lines: [line('seat', 7)] };
    await vendor().replaceUsage('p1', 'c2', newer);
    const older = { asOf: at('2026-11-04T00:00:00Z'), lines: [line('seat', 99)] };
    expect(await vendor().replaceUsage('p1', 'c2', older)).toEqual({
      applied: false,
      storedAsOf: newer.asOf,
    });
    expect(await vendor().getUsage('p1', 'c2')).toEqual(newer);
    const retried = { ...newer, lines: [line('seat', 8)] };
    expect(await vendor().replaceUsage('p1', 'c2', retried)).toEqual({
      applied: true,
      asOf: newer.asOf,
    });
    expect(await vendor().getUsage('p1', 'c2')).toEqual(retried);
  });

  test("racing first pushes leave the newest set, and another partner's customer is separate", async () => {
    const sets = Array.from({ length: 8 }, (_, i) => ({
      asOf: at(`2026-11-0${i + 1}T00:00:00Z`),
      lines: [line('seat', i)],
    }));
    await Promise.all(sets.map((s) => vendor().replaceUsage('p1', 'c3', s)));
    expect(await vendor().getUsage('p1', 'c3')).toEqual(sets[7]);
    expect(await vendor().getUsage('p2', 'c3')).toBeUndefined();
  });

  test("currentUsage reads the newest set of many customers at once, only the partner's", async () => {
    const first = { asOf: at('2026-12-01T00:00:00Z'), lines: [line('seat', 1)] };
    const second = { asOf: at('2026-12-02T00:00:00Z'), lines: [line('seat', 2), line('dlp', 1)] };
    await vendor().replaceUsage('p1', 'u1', first);
    await vendor().replaceUsage('p1', 'u1', second);
    await vendor().replaceUsage('p1', 'u2', { asOf: first.asOf, lines: [] });
    await vendor().replaceUsage('p2', 'u3', first);
    const usage = await vendor().currentUsage('p1', ['u1', 'u2', 'u3', 'never']);
    expect([...usage.keys()].sort()).toEqual(['u1', 'u2']);
    expect(usage.get('u1')).toEqual({
      asOf: second.asOf,
      lines: [line('dlp', 1), line('seat', 2)],
    });
    expect(usage.get('u2')).toEqual({ asOf: first.asOf, lines: [] });
    expect(await vendor().currentUsage('p1', [])).toEqual(new Map());
  });
});

// MongoDB (and FerretDB) can fail one of two identical upserts racing to insert with E11000.
const duplicate = () => Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
const bulkDuplicate = () => Object.assign(new Error('bulk'), { writeErrors: [{ code: 11000 }] });

describe('retryOnDuplicateKey', () => {
  test('a duplicate-key failure is retried until the idempotent upsert succeeds', async () => {
    let calls = 0;
    const write = () =>
      ++calls < 3
        ? Promise.reject(calls === 1 ? duplicate() : bulkDuplicate())
        : Promise.resolve('ok');
    await expect(retryOnDuplicateKey(write)).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  test('other errors are not retried, and retries are bounded', async () => {
    let calls = 0;
    const other = () => {
      calls += 1;
      return Promise.reject(new Error('network'));
    };
    await expect(retryOnDuplicateKey(other)).rejects.toThrow('network');
    expect(calls).toBe(1);

    calls = 0;
    const always = () => {
      calls += 1;
      return Promise.reject(duplicate());
    };
    await expect(retryOnDuplicateKey(always, 3)).rejects.toThrow(/E11000/);
    expect(calls).toBe(3);
  });
});
