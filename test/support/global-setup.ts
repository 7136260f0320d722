import { ensureConsoleBuilt } from '../../dev/console-build';
import { ON_DEMAND, SHARED } from './shared-env';
import { SharedServers } from './shared-servers';

/**
 * The servers every test file shares, once per run (test/support/shared-env.ts): FerretDB now,
 * since nearly every file uses it; Temporal and the workflow bundle when a file first asks. Files
 * that need a server of their own (e.g. one they stop) still start it themselves.
 */
export default async function globalSetup(): Promise<void> {
  // The browser tests' stacks serve the built console: the current sources, built once per run.
  ensureConsoleBuilt();
  const servers = new SharedServers();
  (globalThis as { __sharedServers?: SharedServers }).__sharedServers = servers;
  if (!process.env[SHARED.database]) process.env[SHARED.database] = await servers.get('database');
  process.env[ON_DEMAND] = await servers.listen();
}
