import { MongoClient, type Document } from 'mongodb';

/** Every document of every collection of the database the URI names, as a backup holds them. */
export type DatabaseCopy = Map<string, Document[]>;

/** Takes a copy of the database (what a nightly backup would hold). */
export async function copyDatabase(uri: string): Promise<DatabaseCopy> {
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db();
    const copy: DatabaseCopy = new Map();
    for (const { name } of await db.listCollections().toArray())
      copy.set(name, await db.collection(name).find().toArray());
    return copy;
  } finally {
    await client.close();
  }
}

/**
 * Puts the database back as the copy held it, while the engine runs (an operator restoring a
 * backup): every collection emptied and refilled; collections made since are emptied. Returns how
 * many documents were restored.
 */
export async function restoreDatabase(uri: string, copy: DatabaseCopy): Promise<number> {
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db();
    let restored = 0;
    for (const { name } of await db.listCollections().toArray()) {
      const docs = copy.get(name) ?? [];
      await db.collection(name).deleteMany({});
      if (docs.length > 0) await db.collection(name).insertMany(docs);
      restored += docs.length;
    }
    return restored;
  } finally {
    await client.close();
  }
}
