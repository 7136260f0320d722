/**
 * The servers every test file of a jest run shares (test/support/global-setup.ts), and the
 * environment variable that names each one. A variable set by the caller wins (e.g. a MongoDB).
 */
export const SHARED = {
  /** FerretDB, started before any test; each file takes its own database in it (db.ts). */
  database: 'TEST_MONGODB_URI',
  /** Temporal dev server with the engine's search attributes; each engine has its own task queues. */
  temporal: 'TEST_TEMPORAL_ADDRESS',
  /** The workflow bundle every engine's workers load, instead of running webpack per file. */
  workflowBundle: 'TEST_WORKFLOW_BUNDLE',
} as const;

export type SharedName = keyof typeof SHARED;

/** Where a test file asks the jest process for a shared server, started on the first request. */
export const ON_DEMAND = 'TEST_SHARED_SERVERS_URL';

const notUnderJest = (what: string) =>
  new Error(`${what} is not set: run the tests through jest (globalSetup)`);

/** The run's database server, started before any test. */
export function sharedDatabase(): string {
  const uri = process.env[SHARED.database];
  if (!uri) throw notUnderJest(SHARED.database);
  return uri;
}

/**
 * A shared server's address (or the bundle's path). Temporal and the bundle start only when a
 * file first needs them, so a run of database-only files never starts Temporal.
 */
export async function shared(name: SharedName): Promise<string> {
  const given = process.env[SHARED[name]];
  if (given) return given;
  const url = process.env[ON_DEMAND];
  if (!url) throw notUnderJest(`${SHARED[name]} (or ${ON_DEMAND})`);
  const res = await fetch(`${url}/${name}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`the shared ${name} did not start: ${text}`);
  return text;
}
