import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { discardLines } from '../../dev/managed';
import { startFerretDb, type FerretDb } from '../../dev/processes';

/**
 * Our FerretDB patch for concurrent updates of one document on PostgreSQL
 * (dev/patches/ferretdb-v1.24.2-update-compare-and-swap.patch). FerretDB reads a document, applies
 * the update operators in Go and writes the whole document back; two updates that read the same
 * version both wrote, and one was lost (a settings save and the ticket watch's note once, in
 * test/api/settings.test.ts). Patched, the write happens only if the row is still what was read,
 * and an update that lost the race reads the row again and applies itself to it. Here many
 * clients update one document at once, each a different way; every one must be in the result.
 */
let ferret: FerretDb;
let dir: string;
const clients: MongoClient[] = [];
const CLIENTS = 8;
const PER_CLIENT = 25;
const STEPS = 40;

interface Counter {
  _id: string;
  n: number;
  seen: string[];
  fields: Record<string, number>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-lost-update-'));
  ferret = await startFerretDb({
    dataDir: dir,
    backend: 'postgresql',
    ephemeral: true,
    log: discardLines,
  });
  for (let i = 0; i < CLIENTS; i++) {
    // One connection each: the updates really run side by side in FerretDB.
    const client = new MongoClient(ferret.uri, { maxPoolSize: 1 });
    await client.connect();
    clients.push(client);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ferret?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const counters = (client: MongoClient): Collection<Counter> =>
  client.db('lost_update').collection<Counter>('counters');

test('concurrent $inc of one document: no increment is lost', async () => {
  await counters(clients[0]!).insertOne({ _id: 'inc', n: 0, seen: [], fields: {} });
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < PER_CLIENT; i++)
        await counters(client).updateOne({ _id: 'inc' }, { $inc: { n: 1 } });
    }),
  );
  const found = await counters(clients[0]!).findOne({ _id: 'inc' });
  expect(found?.n).toBe(CLIENTS * PER_CLIENT);
});

test('concurrent findOneAndUpdate and updateOne on different fields of one document: every field kept', async () => {
  await counters(clients[0]!).insertOne({ _id: 'fields', n: 0, seen: [], fields: {} });
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const set = { [`fields.c${c}_${i}`]: i };
        if (i % 2)
          await counters(client).findOneAndUpdate({ _id: 'fields' }, { $set: set, $inc: { n: 1 } });
        else
          await counters(client).updateOne(
            { _id: 'fields' },
            { $set: set, $inc: { n: 1 }, $push: { seen: `c${c}_${i}` } },
          );
      }
    }),
  );
  const found = await counters(clients[0]!).findOne({ _id: 'fields' });
  expect(found?.n).toBe(CLIENTS * PER_CLIENT);
  expect(Object.keys(found?.fields ?? {})).toHaveLength(CLIENTS * PER_CLIENT);
  expect(found?.seen).toHaveLength(CLIENTS * Math.ceil(PER_CLIENT / 2));
});

test('an update whose filter no longer matches after a concurrent change does not apply', async () => {
  // Each client moves the document from state k to k+1 only if it is at k: exactly one of the
  // clients racing at each step wins, so after the race the state is the number of steps.
  await counters(clients[0]!).insertOne({ _id: 'cas', n: 0, seen: [], fields: {} });
  let applied = 0;
  for (let step = 0; step < STEPS; step++) {
    const results = await Promise.all(
      clients.map((client) =>
        counters(client).updateOne({ _id: 'cas', n: step }, { $inc: { n: 1 } }),
      ),
    );
    const won = results.reduce((sum, r) => sum + r.modifiedCount, 0);
    expect(won).toBe(1);
    applied += won;
  }
  const found = await counters(clients[0]!).findOne({ _id: 'cas' });
  expect(found?.n).toBe(STEPS);
  expect(applied).toBe(STEPS);
});
