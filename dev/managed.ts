import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findOnPath } from './tools';

/** Receives every output line of a managed process. */
export type LineSink = (name: string, line: string) => void;

export const printLine: LineSink = (name, line) => {
  process.stdout.write(`[${name}] ${line}\n`);
};

export const discardLines: LineSink = () => {};

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface SpawnOptions {
  cwd?: string;
  /** Where output lines go; default: stdout, prefixed with the name. */
  log?: LineSink;
  /** How many recent output lines to keep for failure reports. */
  keepLines?: number;
  /** Run as this user (needs root and setpriv): PostgreSQL refuses to run as root. */
  runAs?: { uid: number; gid: number };
  /** What stop() sends first; default SIGTERM (PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly startedAt: Date;
  /** Resolves once the process has exited; never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** Undefined while running. */
  exitInfo(): ExitInfo | undefined;
  recentOutput(): string[];
  /** SIGTERM to the process group, SIGKILL after graceMs; idempotent. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

const DEFAULT_GRACE_MS = 10_000;
const running = new Set<ManagedProcess>();
const shutdownHooks = new Set<() => Promise<void>>();
let handlersInstalled = false;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    // Negative pid: the whole process group, so helpers the child spawned go too.
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

let pdeathsigPrefix: string[] | undefined;

/**
 * On Linux, `setpriv --pdeathsig SIGTERM` (util-linux) makes the kernel signal the child when this
 * process dies in any way, even by SIGKILL or from inside jest, where our signal handlers never
 * see real signals. setpriv execs the command, so the pid stays the child's own.
 */
function deathSignalPrefix(runAs?: SpawnOptions['runAs']): string[] {
  if (runAs) {
    // One setpriv: the death signal is cleared when the user changes, so it is set after.
    const setpriv = findOnPath('setpriv');
    if (!setpriv) throw new Error('running a server as another user needs setpriv (util-linux)');
    return [
      setpriv,
      `--reuid=${runAs.uid}`,
      `--regid=${runAs.gid}`,
      '--clear-groups',
      '--pdeathsig',
      'SIGTERM',
      '--',
    ];
  }
  if (pdeathsigPrefix) return pdeathsigPrefix;
  pdeathsigPrefix = [];
  const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined;
  if (setpriv) {
    try {
      execFileSync(setpriv, ['--pdeathsig', 'SIGTERM', '--', 'true'], { stdio: 'ignore' });
      pdeathsigPrefix = [setpriv, '--pdeathsig', 'SIGTERM', '--'];
    } catch {
      // An old setpriv without --pdeathsig: rely on the handlers below.
    }
  }
  return pdeathsigPrefix;
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return `failed to start: ${info.error.message}`;
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${String(info.code)}`;
}

/**
 * Starts a child in its own process group with piped output. The terminal's Ctrl-C then reaches
 * only this (parent) process, which stops children in a known order instead of all at once.
 */
export function spawnManaged(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: SpawnOptions = {},
): ManagedProcess {
  installHandlers();
  const log = options.log ?? printLine;
  const keep = options.keepLines ?? 40;
  const recent: string[] = [];
  const [wrapper, ...wrapperArgs] = deathSignalPrefix(options.runAs);
  const child = spawn(wrapper ?? cmd, wrapper ? [...wrapperArgs, cmd, ...args] : args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (error) => {
      // 'error' without 'exit' means spawn itself failed; after a spawn it may accompany 'exit'.
      if (child.pid === undefined) resolve((info ??= { code: null, signal: null, error }));
    });
    child.once('exit', (code, signal) => resolve((info ??= { code, signal })));
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      recent.push(line);
      if (recent.length > keep) recent.shift();
      log(name, line);
    });
  }

  let stopping: Promise<ExitInfo> | undefined;
  const managed: ManagedProcess = {
    name,
    pid: child.pid,
    startedAt: new Date(),
    exited,
    exitInfo: () => info,
    recentOutput: () => [...recent],
    stop: (graceMs = DEFAULT_GRACE_MS) =>
      (stopping ??= stopGroup(child.pid, exited, graceMs, options.stopSignal ?? 'SIGTERM')),
  };
  running.add(managed);
  void exited.then(async () => {
    // The group may outlive its leader; sweep it before forgetting the process.
    if (child.pid !== undefined && signalGroup(child.pid, 0)) await managed.stop(1_000);
    running.delete(managed);
  });
  return managed;
}

async function stopGroup(
  pid: number | undefined,
  exited: Promise<ExitInfo>,
  graceMs: number,
  signal: NodeJS.Signals,
): Promise<ExitInfo> {
  if (pid === undefined) return exited;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  const result = await exited;
  clearTimeout(killer);
  while (signalGroup(pid, 0)) {
    if (Date.now() >= deadline) {
      signalGroup(pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  return result;
}

/** Stops every managed process still running, the most recently started first. */
export async function stopAll(graceMs = DEFAULT_GRACE_MS): Promise<void> {
  for (const managed of [...running].reverse()) await managed.stop(graceMs);
}

export function runningProcesses(): ManagedProcess[] {
  return [...running];
}

/**
 * Runs before the managed processes are stopped on SIGINT/SIGTERM/SIGHUP, e.g. to close an
 * in-process server or to stop children in dependency order. Returns an unregister function.
 */
export function onShutdownSignal(hook: () => Promise<void>): () => void {
  installHandlers();
  shutdownHooks.add(hook);
  return () => shutdownHooks.delete(hook);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ignore repeats: npm and tsx relay the terminal's Ctrl-C, so one press can arrive twice.
    if (shuttingDown) return;
    shuttingDown = true;
    void (async () => {
      for (const hook of shutdownHooks) await hook().catch(() => undefined);
      await stopAll();
      for (const s of signals) process.removeListener(s, onSignal);
      // Re-raise so our own exit status says "killed by signal", as it would without handlers.
      process.kill(process.pid, signal);
    })();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // Last resort when the parent exits without stopping its children (a crash, process.exit):
  // only synchronous work is possible here, so no grace period.
  process.on('exit', () => {
    for (const managed of running)
      if (managed.pid !== undefined) signalGroup(managed.pid, 'SIGKILL');
  });
}
