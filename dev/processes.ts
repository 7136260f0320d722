/**
 * The external servers of the local stack and the tests, run from the bootstrapped binaries
 * (dev/tools.ts) as managed children that are gone when this process is.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnManaged, type LineSink, type ManagedProcess } from './managed';
import { freePorts, isPortFree, onFreePort } from './ports';
import { startPostgres, type Postgres } from './postgres';
import { pingMongo, temporalNamespaceReady } from './probes';
import {
  ENGINE_SEARCH_ATTRIBUTES,
  searchAttributeFlags,
  type SearchAttributeKeys,
} from './search-attributes';
import { requireTool } from './tools';
import { PartError, waitUntil } from './wait';

export { freePort, freePorts } from './ports';
export { spawnManaged, stopAll, type LineSink, type ManagedProcess } from './managed';

const HOST = '127.0.0.1';

export interface ServerOptions {
  /** Output lines of the server; default: stdout with a name prefix. */
  log?: LineSink;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** FerretDB's storage: PostgreSQL (the default) or SQLite (CW_FERRETDB_BACKEND=sqlite). */
export type FerretDbBackend = 'postgresql' | 'sqlite';

export const ferretDbBackend = (env: NodeJS.ProcessEnv = process.env): FerretDbBackend => {
  const backend = env.CW_FERRETDB_BACKEND ?? 'postgresql';
  if (backend !== 'postgresql' && backend !== 'sqlite')
    throw new Error(`CW_FERRETDB_BACKEND must be postgresql or sqlite, not ${backend}`);
  return backend;
};

export interface FerretDbOptions extends ServerOptions {
  /**
   * FerretDB's state and its storage live here (PostgreSQL's cluster in postgres/, or SQLite's
   * files); reuse it to keep the data.
   */
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  /** Database name put in `uri`. */
  database?: string;
  /** Default: ferretDbBackend(env). */
  backend?: FerretDbBackend;
  /** PostgreSQL without fsync (throw-away data: tests, benchmarks). Default false. */
  ephemeral?: boolean;
  /** Output lines of PostgreSQL; default: `log`. */
  postgresLog?: LineSink;
  /** Start PostgreSQL beside SQLite files (db:copy-sqlite copies them over). */
  allowSqliteData?: boolean;
}

export interface FerretDb {
  /** mongodb://127.0.0.1:<port>/<database> */
  uri: string;
  port: number;
  backend: FerretDbBackend;
  process: ManagedProcess;
  /** The PostgreSQL server under FerretDB (postgresql backend). */
  postgres?: Postgres;
  stop(): Promise<void>;
}

/** SQLite files FerretDB's sqlite backend left in a data folder (one per MongoDB database). */
const sqliteFilesIn = (dataDir: string): string[] =>
  existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith('.sqlite')) : [];

/**
 * A folder holding a SQLite-backend database and no PostgreSQL cluster: starting PostgreSQL
 * there would hide the data, so say what to do instead.
 */
function refuseSqliteData(dataDir: string): void {
  if (existsSync(join(dataDir, 'postgres')) || sqliteFilesIn(dataDir).length === 0) return;
  const data = dirname(dataDir);
  throw new PartError(
    `${dataDir} holds a database of FerretDB's SQLite backend (from before the PostgreSQL backend). ` +
      `Keep using it: CW_FERRETDB_BACKEND=sqlite npm start. Or copy it into PostgreSQL: npm run db:copy-sqlite. ` +
      `Or set it aside and start afresh (the demo partner is seeded again): mv ${data} ${data}.sqlite-backup`,
    'ferretdb',
  );
}

/**
 * A busy port would make the readiness probe succeed against whatever already listens there,
 * while our server exits; so refuse up front.
 */
async function assertFree(what: string, ...ports: (number | undefined)[]): Promise<void> {
  for (const port of ports) {
    if (port !== undefined && !(await isPortFree(port, HOST))) {
      throw new PartError(`port ${HOST}:${port} for ${what} is already in use`, what);
    }
  }
}

export async function startFerretDb(options: FerretDbOptions): Promise<FerretDb> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const env = options.env ?? process.env;
  const backend = options.backend ?? ferretDbBackend(env);
  if (options.port !== undefined) await assertFree('ferretdb', options.port);
  let postgres: Postgres | undefined;
  if (backend === 'postgresql') {
    if (!options.allowSqliteData) refuseSqliteData(dataDir);
    postgres = await startPostgres({
      dataDir: join(dataDir, 'postgres'),
      durable: !options.ephemeral,
      env,
      ...((options.postgresLog ?? options.log) ? { log: options.postgresLog ?? options.log } : {}),
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    });
  }
  const storage =
    backend === 'postgresql'
      ? ['--handler=postgresql', `--postgresql-url=${postgres!.url}`]
      : ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`];
  // Fewer collections of a heap that is small anyway: a third less CPU per paged find (bench:db).
  const ferretEnv = { GOGC: '400', ...env };
  try {
    // The port is picked once PostgreSQL is up, so no other process has seconds to take it.
    return await onFreePort(options.port, async (port) => {
      const child = spawnManaged(
        'ferretdb',
        requireTool('ferretdb', env),
        [
          ...storage,
          `--state-dir=${dataDir}`,
          `--listen-addr=${HOST}:${port}`,
          `--debug-addr=${HOST}:0`,
          '--telemetry=disable',
          // WARN logs a full wire dump for every `endSessions` the Node driver sends on close.
          '--log-level=error',
        ],
        ferretEnv,
        { log: options.log },
      );
      const uri = `mongodb://${HOST}:${port}/${options.database ?? 'cw_engine'}`;
      try {
        await waitUntil(() => pingMongo(uri), {
          what: `FerretDB on ${HOST}:${port}`,
          timeoutMs: options.readyTimeoutMs ?? 30_000,
          process: child,
        });
      } catch (err) {
        await child.stop();
        throw err;
      }
      const stop = async () => {
        // FerretDB first: it holds PostgreSQL's connections.
        await child.stop();
        await postgres?.stop();
      };
      return { uri, port, backend, process: child, ...(postgres ? { postgres } : {}), stop };
    });
  } catch (err) {
    await postgres?.stop();
    throw err;
  }
}

export interface TemporalDevServerOptions extends ServerOptions {
  /** SQLite file for workflow state; omitted, state is lost when the server stops. */
  dbFile?: string;
  /** Frontend gRPC port; default: a free port. */
  port?: number;
  /** Web UI port; default: a free port. */
  uiPort?: number;
  /** No web UI (saves memory in tests). */
  headless?: boolean;
  /** Created at start besides `default`; also the one the readiness check waits for. */
  namespace?: string;
  /** Default: the engine's search attributes. */
  searchAttributes?: SearchAttributeKeys;
  /** Remote codec the web UI calls to show encrypted payloads (the engine API's /codec). */
  uiCodecEndpoint?: string;
}

export interface TemporalDevServer {
  /** 127.0.0.1:<port>, for TEMPORAL_ADDRESS */
  address: string;
  port: number;
  /** Undefined when headless. */
  uiPort: number | undefined;
  /** Undefined when headless. */
  uiUrl: string | undefined;
  namespace: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * The dev server grabs several internal ports of its own at start; on a busy machine (tests in
 * parallel) another process can take one in between and the server panics. With ports of our
 * choosing left free, simply starting again on fresh ports is the fix.
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions = {},
): Promise<TemporalDevServer> {
  const fixedPorts = options.port !== undefined || options.uiPort !== undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchTemporalDevServer(options);
    } catch (err) {
      // Only a server that died at start, or whose free ports were taken by another process
      // before it started (tests start servers side by side), is retried; one that never became
      // ready is not.
      const diedAtStart = err instanceof PartError && / exited /.test(err.summary);
      const portsTaken = err instanceof PartError && / already in use$/.test(err.summary);
      if (fixedPorts || attempt >= 3 || !(diedAtStart || portsTaken)) throw err;
    }
  }
}

async function launchTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const [freeA = 0, freeB = 0] = await freePorts(2);
  const port = options.port ?? freeA;
  const uiPort = options.headless ? undefined : (options.uiPort ?? freeB);
  const namespace = options.namespace ?? 'default';
  const env = options.env ?? process.env;
  await assertFree('temporal', port, uiPort);
  // WARN is mostly noise from the server's own system workers, especially while it shuts down.
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    '--log-level',
    'error',
  ];
  if (options.dbFile) {
    const dbFile = resolve(options.dbFile);
    mkdirSync(dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
  if (uiPort !== undefined && options.uiCodecEndpoint) {
    args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  args.push(...searchAttributeFlags(options.searchAttributes ?? ENGINE_SEARCH_ATTRIBUTES));
  const child = spawnManaged('temporal', requireTool('temporal', env), args, env, {
    log: options.log,
  });
  const address = `${HOST}:${port}`;
  const stop = async () => {
    await child.stop();
  };
  try {
    await waitUntil(() => temporalNamespaceReady(address, namespace), {
      what: `Temporal dev server on ${address}`,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      process: child,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const uiUrl = uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`;
  return { address, port, uiPort, uiUrl, namespace, process: child, stop };
}
