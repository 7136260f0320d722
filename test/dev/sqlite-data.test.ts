import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { discardLines } from '../../dev/managed';
import { startFerretDb } from '../../dev/processes';

/**
 * A `.data/` made when FerretDB stored into SQLite: starting on PostgreSQL there is refused with
 * what to do, and `npm run db:copy-sqlite` moves the data over (page keys added), after which the
 * default start serves it.
 */
jest.setTimeout(120_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-sqlite-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function withClient<T>(uri: string, use: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

test('a SQLite data folder is refused on PostgreSQL, naming the ways on', async () => {
  const data = join(dir, 'ferretdb');
  const sqlite = await startFerretDb({ dataDir: data, backend: 'sqlite', log: discardLines });
  await withClient(sqlite.uri, (c) => c.db().collection('x').insertOne({ a: 1 }));
  await sqlite.stop();
  await expect(
    startFerretDb({ dataDir: data, backend: 'postgresql', log: discardLines }),
  ).rejects.toThrow(/SQLite backend.*CW_FERRETDB_BACKEND=sqlite.*npm run db:copy-sqlite.*mv /s);
  expect(existsSync(join(data, 'postgres'))).toBe(false);
});

test('db:copy-sqlite copies every collection into PostgreSQL, with the page keys lists need', async () => {
  const data = join(dir, 'ferretdb');
  const sqlite = await startFerretDb({ dataDir: data, backend: 'sqlite', log: discardLines });
  const startedAt = new Date('2026-11-30T10:00:00.000Z');
  await withClient(sqlite.uri, async (c) => {
    await c
      .db('cw_engine')
      .collection('syncruns')
      .insertOne({ runKey: 'billing-run:i:a.1', startedAt });
    await c
      .db('cw_engine')
      .collection('vendorCustomers')
      .insertOne({ _id: 'p/c1' as never, name: 'A' });
  });
  await sqlite.stop();

  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', resolve(__dirname, '../../dev/copy-sqlite.ts'), data],
    { cwd: resolve(__dirname, '../..') },
  );

  expect(readdirSync(join(data, 'sqlite-backup')).some((f) => f.endsWith('.sqlite'))).toBe(true);
  const postgres = await startFerretDb({ dataDir: data, log: discardLines });
  try {
    await withClient(postgres.uri, async (c) => {
      const run = await c.db('cw_engine').collection('syncruns').findOne({});
      expect(run).toMatchObject({
        runKey: 'billing-run:i:a.1',
        pageKey: '2026-11-30T10:00:00.000Z|billing-run:i:a.1',
      });
      expect(await c.db('cw_engine').collection('vendorCustomers').countDocuments()).toBe(1);
    });
  } finally {
    await postgres.stop();
  }
});
