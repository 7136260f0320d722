import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb } from '../../dev/processes';

/**
 * One real FerretDB for the whole run; each test file takes its own database in it
 * (test/support/db.ts). MONGODB_URI set by the caller wins, so the suite can run against MongoDB.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_MONGODB_URI) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-engine-test-db-'));
  const ferret = await startFerretDb({ dataDir, log: () => undefined });
  process.env.TEST_MONGODB_URI = ferret.uri;
  (globalThis as { __ferret?: { stop(): Promise<void> } }).__ferret = {
    stop: async () => {
      await ferret.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
