/**
 * PostgreSQL for FerretDB's postgresql backend: a cluster in a folder of its own (initdb on first
 * use, with the database FerretDB stores into), run as a managed child on 127.0.0.1 only, with
 * trust authentication (nothing but this machine's own processes can reach it). PostgreSQL
 * refuses to run as root: when this process is root, the server runs as `nobody`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnManaged, type LineSink, type ManagedProcess } from './managed';
import { onFreePort } from './ports';
import { findOnPath, requireTool, traversableByOthers } from './tools';
import { PartError, waitUntil } from './wait';

const HOST = '127.0.0.1';
/** The database FerretDB keeps every MongoDB database in (one schema each). */
export const FERRETDB_DATABASE = 'ferretdb';

export interface PostgresOptions {
  /** The cluster's folder; created (initdb) when it holds none. */
  dataDir: string;
  port?: number;
  /**
   * false for throw-away clusters (tests, benchmarks): no fsync, as a crash loses nothing anyone
   * keeps. Default true.
   */
  durable?: boolean;
  log?: LineSink;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface Postgres {
  /** postgres://postgres@127.0.0.1:<port>/ferretdb */
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** The user the server runs as: this one, or `nobody` when this is root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nobody:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // No /etc/passwd to read: the usual ids.
  }
  return { uid: 65534, gid: 65534 };
}

/** Runs one of PostgreSQL's programs to its end, as the server's user. */
function runAsServer(
  user: ReturnType<typeof serverUser>,
  cmd: string,
  args: string[],
  input?: string,
): string {
  const setpriv = user ? findOnPath('setpriv') : undefined;
  if (user && !setpriv) throw new Error('running PostgreSQL as root needs setpriv (util-linux)');
  const [file, ...rest] = user
    ? [setpriv!, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', cmd, ...args]
    : [cmd, ...args];
  return execFileSync(file, rest, {
    encoding: 'utf8',
    input,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Lets the server's user (nobody, when this is root) pass through the folders above its cluster
 * that this process made: its own data folder and folders under the temporary directory (a test's
 * mkdtemp folder is 0700). Folders elsewhere (a home directory) are left as they are.
 */
export function letServerThrough(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const tmp = resolve(tmpdir());
  for (let at = resolve(dataDir); ; at = dirname(at)) {
    if (at !== resolve(dataDir) && !at.startsWith(`${tmp}/`)) return;
    if (!existsSync(at)) continue;
    const { mode, uid } = statSync(at);
    if (uid === 0 && (mode & 0o001) === 0) chmodSync(at, mode | 0o011);
    if (dirname(at) === at) return;
  }
}

/** initdb and the FerretDB database, unless the folder holds a cluster already. */
function ensureCluster(postgres: string, dataDir: string, user: ReturnType<typeof serverUser>) {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  if (user && !traversableByOthers(dirname(dataDir))) {
    throw new PartError(
      `PostgreSQL refuses to run as root, so it runs as nobody, who cannot reach ${dataDir}: run as another user, or keep the data in a folder others may pass through (e.g. under /tmp or /var)`,
      'postgres',
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const bin = dirname(postgres);
  runAsServer(user, join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    // FerretDB needs UTF8 and C (or POSIX, C.UTF8, en_US.UTF8); C also orders strings by bytes,
    // as MongoDB does.
    '--locale=C',
    '--no-instructions',
  ]);
  // Single-user mode: no server, no client program needed.
  runAsServer(
    user,
    postgres,
    ['--single', '-D', dataDir, '-j', 'postgres'],
    `CREATE DATABASE ${FERRETDB_DATABASE};\n`,
  );
}

/**
 * Ready when the server answers a startup message with AuthenticationOk ('R'), not with an error
 * ('E', e.g. "the database system is starting up").
 */
export function postgresReady(port: number, host = HOST): Promise<boolean> {
  return new Promise((done) => {
    const params = Buffer.from(`user\0postgres\0database\0${FERRETDB_DATABASE}\0\0`);
    const message = Buffer.alloc(8 + params.length);
    message.writeInt32BE(message.length, 0);
    message.writeInt32BE(196608, 4); // protocol 3.0
    params.copy(message, 8);
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(message));
    socket.once('data', (data) => finish(data[0] === 0x52));
  });
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const env = options.env ?? process.env;
  const postgres = requireTool('postgres', env);
  const dataDir = resolve(options.dataDir);
  const user = serverUser();
  letServerThrough(dirname(dataDir));
  ensureCluster(postgres, dataDir, user);
  return onFreePort(options.port, async (port) => {
    const settings: Record<string, string> = {
      listen_addresses: HOST,
      unix_socket_directories: '',
      // Statistics soon after a bulk load, so the planner picks the indexes (benchmarks, demo seed).
      autovacuum_naptime: '5s',
      autovacuum_analyze_scale_factor: '0.02',
      // A crash may lose the last moments' commits, never the cluster: a local stack's trade.
      synchronous_commit: 'off',
      ...(options.durable === false ? { fsync: 'off', full_page_writes: 'off' } : {}),
    };
    const child = spawnManaged(
      'postgres',
      postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ],
      { ...env, LC_ALL: 'C' },
      { log: options.log, ...(user ? { runAs: user } : {}), stopSignal: 'SIGINT' },
    );
    const stop = async () => {
      await child.stop();
    };
    try {
      await waitUntil(() => postgresReady(port), {
        what: `PostgreSQL on ${HOST}:${port}`,
        timeoutMs: options.readyTimeoutMs ?? 30_000,
        process: child,
      });
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      url: `postgres://postgres@${HOST}:${port}/${FERRETDB_DATABASE}`,
      port,
      process: child,
      stop,
    };
  });
}
