import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { discardLines } from '../../dev/managed';
import { startFerretDb, type FerretDb } from '../../dev/processes';

/**
 * Our FerretDB patch for its PostgreSQL backend (dev/patches/ferretdb-v1.24.2-postgresql-index-
 * pushdown.patch): comparisons of top-level fields, their sort and their limit run in PostgreSQL
 * on the field's index, and the answers are MongoDB's. Each query's answer is checked against the
 * same rule computed here in JavaScript, and its plan against the index.
 */
let ferret: FerretDb;
let client: MongoClient;
let dir: string;
let rows: Collection<Document>;

const T0 = Date.parse('2026-01-01T00:00:00Z');
interface Row {
  _id: string;
  p: string;
  n: number;
  at?: Date;
  s: string;
}
const ROWS: Row[] = Array.from({ length: 3_000 }, (_, i) => ({
  _id: `r${String(i).padStart(5, '0')}`,
  p: `p${i % 30}`,
  // Numbers of both BSON types: 4 and 4.0 are equal in MongoDB.
  n: i % 2 ? (i % 10) + 0.0 : i % 10,
  // Every 7th row has no date: missing sorts first ascending, last descending.
  ...(i % 7 === 0 ? {} : { at: new Date(T0 + ((i * 7919) % 3_000) * 60_000) }),
  s: `name ${i % 50}`,
}));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-pushdown-'));
  ferret = await startFerretDb({
    dataDir: dir,
    backend: 'postgresql',
    ephemeral: true,
    log: discardLines,
  });
  client = await MongoClient.connect(ferret.uri);
  rows = client.db().collection('rows');
  await rows.createIndex({ p: 1, at: -1 });
  await rows.createIndex({ p: 1, n: 1, s: 1 });
  await rows.insertMany(ROWS as unknown as Document[]);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await ferret?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const at = (r: Row) => r.at?.getTime();
/** MongoDB's order for a date field: missing first ascending; then _id as the tie-break here. */
const byAt = (dir: 1 | -1) => (a: Row, b: Row) => {
  const [x, y] = [at(a) ?? -Infinity, at(b) ?? -Infinity];
  return x === y ? (a._id < b._id ? -1 : 1) : dir * (x - y);
};
const ids = (docs: Document[]) => docs.map((d) => String(d._id));

test('equality and a newest-first page with its limit: the answer MongoDB gives', async () => {
  for (const dir of [1, -1] as const) {
    const got = await rows.find({ p: 'p7' }).sort({ at: dir, _id: 1 }).limit(25).toArray();
    const want = ROWS.filter((r) => r.p === 'p7')
      .sort(byAt(dir))
      .slice(0, 25);
    expect(ids(got)).toEqual(want.map((r) => r._id));
  }
});

test('ranges, $in and numbers of both types compare as in MongoDB', async () => {
  const cut = new Date(T0 + 1_500 * 60_000);
  const got = await rows
    .find({ p: 'p3', at: { $lt: cut } })
    .sort({ at: -1 })
    .limit(10)
    .toArray();
  const want = ROWS.filter((r) => r.p === 'p3' && r.at !== undefined && r.at < cut)
    .sort(byAt(-1))
    .slice(0, 10);
  expect(ids(got)).toEqual(want.map((r) => r._id));

  const four = await rows.find({ p: 'p4', n: 4 }).toArray();
  expect(ids(four).sort()).toEqual(
    ROWS.filter((r) => r.p === 'p4' && r.n === 4)
      .map((r) => r._id)
      .sort(),
  );
  const inList = await rows.find({ p: { $in: ['p1', 'p2'] }, n: { $gte: 8 } }).toArray();
  expect(ids(inList).sort()).toEqual(
    ROWS.filter((r) => ['p1', 'p2'].includes(r.p) && r.n >= 8)
      .map((r) => r._id)
      .sort(),
  );
  expect(await rows.find({ p: { $in: [] } }).toArray()).toEqual([]);
});

test('a filter the patch does not push down is still answered right (handler-side)', async () => {
  const got = await rows
    .find({ $or: [{ p: 'p1' }, { s: 'name 3' }] })
    .sort({ _id: 1 })
    .limit(20)
    .toArray();
  const want = ROWS.filter((r) => r.p === 'p1' || r.s === 'name 3')
    .map((r) => r._id)
    .sort()
    .slice(0, 20);
  expect(ids(got)).toEqual(want);
});

/** Every node of PostgreSQL's JSON plan. */
function* nodes(plan: Document): Generator<Document> {
  yield plan;
  for (const child of (plan.Plans as Document[] | undefined) ?? []) yield* nodes(child);
}

test('a page is read from the index, sort and limit pushed down', async () => {
  const explained: Document = await rows.find({ p: 'p7' }).sort({ at: -1 }).limit(25).explain();
  expect(explained).toMatchObject({ sortPushdown: true, limitPushdown: true });
  const planNodes = [...nodes((explained.queryPlanner as Document).Plan as Document)];
  expect(planNodes.map((n) => String(n['Node Type']))).not.toContain('Seq Scan');
  expect(planNodes.some((n) => String(n['Index Name'] ?? '').includes('p'))).toBe(true);
});
