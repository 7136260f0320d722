import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  /** How long to wait for the server before failing a call; short so /readyz answers quickly. */
  serverSelectionTimeoutMS?: number;
}

/**
 * A dedicated connection (not mongoose's global one) so tests and processes can hold several.
 * FerretDB 1.x has no transactions or change streams; nothing here relies on them.
 */
export async function connectDatabase({
  uri,
  serverSelectionTimeoutMS = 5000,
}: DatabaseOptions): Promise<Connection> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS, autoIndex: false });
  await conn.asPromise();
  return conn;
}

export async function pingDatabase(conn: Connection): Promise<void> {
  if (!conn.db) throw new Error('database connection is not open');
  await conn.db.admin().command({ ping: 1 });
}
