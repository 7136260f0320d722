/**
 * `npm run db:copy-sqlite`: moves a local stack's data from FerretDB's SQLite backend (before
 * FerretDB on PostgreSQL) into PostgreSQL, in `.data/ferretdb` (or the folder given). Every
 * database and collection is copied as it is, with the page keys the engine now pages by
 * (db/page.ts) added to rows written before them; the SQLite files are then moved aside into
 * `sqlite-backup/`, so the next `npm start` runs on the copy. Stop the stack first.
 */
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { pageKeyOf } from '../db/page';
import { discardLines } from './managed';
import { startFerretDb } from './processes';
import { REPO_ROOT } from './stack';

/** Rows the engine pages by a key it did not write before: which date and tie-break make it. */
const PAGE_KEYS: Record<string, (d: Document) => string | undefined> = {
  syncruns: (d) =>
    d.startedAt instanceof Date ? pageKeyOf(d.startedAt, String(d.runKey)) : undefined,
  ticketEvents: (d) =>
    d.lastSeen instanceof Date ? pageKeyOf(d.lastSeen, String(d._id)) : undefined,
  billingChanges: (d) => (d.at instanceof Date ? pageKeyOf(d.at, String(d._id)) : undefined),
};

async function main(): Promise<void> {
  const dataDir = resolve(process.argv[2] ?? join(REPO_ROOT, '.data', 'ferretdb'));
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'));
  if (files.length === 0) {
    console.log(`${dataDir} holds no SQLite database: nothing to copy`);
    return;
  }
  const sqlite = await startFerretDb({ dataDir, backend: 'sqlite', log: discardLines });
  const postgres = await startFerretDb({
    dataDir,
    backend: 'postgresql',
    log: discardLines,
    allowSqliteData: true,
  });
  const from = await MongoClient.connect(sqlite.uri);
  const to = await MongoClient.connect(postgres.uri);
  try {
    const { databases } = await from.db().admin().listDatabases();
    for (const { name: dbName } of databases) {
      for (const { name } of await from.db(dbName).listCollections().toArray()) {
        const docs = await from.db(dbName).collection(name).find().toArray();
        const keyOf = PAGE_KEYS[name];
        for (const d of docs) if (keyOf && d.pageKey === undefined) d.pageKey = keyOf(d);
        if (docs.length) await to.db(dbName).collection(name).insertMany(docs);
        console.log(`${dbName}.${name}: ${docs.length} documents copied`);
      }
    }
  } finally {
    await from.close();
    await to.close();
    await postgres.stop();
    await sqlite.stop();
  }
  const backup = join(dataDir, 'sqlite-backup');
  mkdirSync(backup, { recursive: true });
  for (const f of readdirSync(dataDir).filter((n) => /\.sqlite(-wal|-shm)?$/.test(n)))
    renameSync(join(dataDir, f), join(backup, f));
  console.log(`done: the SQLite files are in ${backup}; npm start now runs on PostgreSQL`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
