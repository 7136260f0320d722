import type { Connection } from 'mongoose';
import { syncRunModel } from './models/sync-run';
import { SyncRunRepository } from './repositories/sync-runs';

export { connectDatabase, pingDatabase } from './connection';

export interface Repositories {
  syncRuns: SyncRunRepository;
}

/** Builds every repository on one connection; indexes are created once here, not at first use. */
export async function createRepositories(conn: Connection): Promise<Repositories> {
  const models = [syncRunModel(conn)];
  await Promise.all(models.map((m) => m.createIndexes()));
  return { syncRuns: new SyncRunRepository(models[0]!) };
}
