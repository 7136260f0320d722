import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase, createRepositories, type Repositories } from '../../db';
import { sharedDatabase } from './shared-env';

/** A fresh database on the suite's FerretDB (or TEST_MONGODB_URI), unique to the caller. */
export function testDatabaseUri(label: string): string {
  const url = new URL(sharedDatabase());
  url.pathname = `/t_${label.replace(/[^A-Za-z0-9]/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

export interface TestDatabase {
  uri: string;
  conn: Connection;
  repos: Repositories;
  close(): Promise<void>;
}

export async function openTestDatabase(label: string): Promise<TestDatabase> {
  const uri = testDatabaseUri(label);
  // One FerretDB serves every suite at once: on a loaded machine, give it time to answer first.
  const conn = await connectDatabase({ uri, serverSelectionTimeoutMS: 20_000 });
  const repos = await createRepositories(conn);
  return {
    uri,
    conn,
    repos,
    close: async () => {
      await conn.dropDatabase();
      await conn.close();
    },
  };
}
