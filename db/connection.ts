import mongoose, { type Connection } from 'mongoose';
import { apiTokenModel } from './models/api-token';

export interface DatabaseOptions {
  uri: string;
  /** How long a call waits for a reachable server before failing; short, so a request gets 503 quickly. */
  serverSelectionTimeoutMS?: number;
  /** A call whose server sends nothing back for this long fails (a hung or wedged server). */
  socketTimeoutMS?: number;
  /** Sent as maxTimeMS with every find and count: the server gives up on a query after this. */
  maxTimeMS?: number;
}

export const DATABASE_TIMEOUTS = {
  serverSelectionTimeoutMS: 3000,
  socketTimeoutMS: 30_000,
  maxTimeMS: 5000,
} as const;

/**
 * A dedicated connection (not mongoose's global one) so tests and processes can hold several.
 * FerretDB 1.x has no transactions or change streams; nothing here relies on them. No call ever
 * waits without a bound: server selection, the socket and each query have their own timeout, and
 * nothing is queued while disconnected (a call fails at once instead).
 */
export async function connectDatabase({
  uri,
  serverSelectionTimeoutMS = DATABASE_TIMEOUTS.serverSelectionTimeoutMS,
  socketTimeoutMS = DATABASE_TIMEOUTS.socketTimeoutMS,
  maxTimeMS = DATABASE_TIMEOUTS.maxTimeMS,
}: DatabaseOptions): Promise<Connection> {
  // Mongoose keeps each query's call-site stack to name it if it is run twice: `new Error().stack`
  // on every query, a tenth of a read route's CPU under source maps. The query's own errors keep
  // their stacks. (A setting of the mongoose module, the same for every connection.)
  mongoose.set('skipOriginalStackTraces', true);
  const conn = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS,
    socketTimeoutMS,
    autoIndex: false,
    bufferCommands: false,
  });
  conn.set('maxTimeMS', maxTimeMS);
  await conn.asPromise();
  return conn;
}

/**
 * Readiness: a real query, not only `ping` (a wedged server still answers ping), on the
 * collection every request reads first, with a deadline the server enforces too.
 */
export async function pingDatabase(conn: Connection, deadlineMs = 2000): Promise<void> {
  if (!conn.db) throw new Error('database connection is not open');
  await apiTokenModel(conn).findOne({}, { _id: 1 }).maxTimeMS(deadlineMs).lean().exec();
}
