import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import type { Customer } from '../../db/repositories/vendor';
import { discardLines } from '../../dev/managed';
import { startFerretDb, type FerretDbBackend } from '../../dev/processes';

// Regression tests for FerretDB 1.24.2's update deadlock (dev/patches/ferretdb-v1.24.2-update-
// iterator-close.patch): unpatched, every update statement that matched an existing document held
// a connection until the whole command ended, and at the pool's 100 the next one waited forever.
// The jest timeout is the failure: these finish in a second or two when fixed. On both backends:
// PostgreSQL (the default) and SQLite (still selectable, CW_FERRETDB_BACKEND=sqlite).
const FINISHES_WITHIN = 30_000;

describe.each<FerretDbBackend>(['postgresql', 'sqlite'])('FerretDB on %s', (backend) => {
  let repos: Repositories;
  let stop: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), `cw-bulk-upsert-${backend}-`));
    const ferret = await startFerretDb({
      dataDir: dir,
      backend,
      ephemeral: true,
      log: discardLines,
    });
    const conn = await connectDatabase({ uri: ferret.uri });
    repos = await createRepositories(conn);
    stop = async () => {
      await conn.close();
      await ferret.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }, 60_000);
  afterAll(() => stop());

  const customers = (prefix: string, count: number, name = 'Customer'): Customer[] =>
    Array.from({ length: count }, (_, i) => ({
      customerId: `${prefix}-${i}`,
      name: `${name} ${i}`,
    }));

  test(
    'a bulk upsert of 1,000 existing documents in one command finishes',
    async () => {
      const { vendor } = repos;
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
      const { vendor } = repos;
      const partners = Array.from({ length: 20 }, (_, i) => `many-${i}`);
      await Promise.all(partners.map((p) => vendor.upsertCustomers(p, customers('c', 100))));
      const again = await Promise.all(
        partners.map((p) => vendor.upsertCustomers(p, customers('c', 100, 'Renamed'))),
      );
      expect(again).toEqual(partners.map(() => ({ created: 0, updated: 100 })));
    },
    FINISHES_WITHIN,
  );
});
