/**
 * The engine's processes as production runs them: the worker, `node dist/worker/main.js`, and
 * (for the ticket bench) the API, `node dist/api/main.js`: the output of
 * `tsc -p tsconfig.build.json`, as `npm run build` compiles it, written to the bench's temporary
 * folder, the worker with the prebundled workflows in WORKFLOW_BUNDLE_PATH and the heap budget of
 * worker/node-args.ts. If the compile fails, or BENCH_WORKER=tsx, they run under tsx
 * (`node --import tsx worker/main.ts`) instead, as dev/stack.ts does. Memory is read from the
 * kernel (/proc/<pid>/status), not from inside.
 */
import { hostname } from 'node:os';
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configSchema } from '../../config/schema';
import { WORKER_NODE_ARGS } from '../../worker/node-args';
import { describeExit, spawnManaged, type ManagedProcess } from '../../dev/managed';
import { enginePolling, httpOk, type EngineQueues } from '../../dev/probes';
import { waitUntil } from '../../dev/wait';
import { readProcStatus, ROOT } from './children';

/** An engine entry point: `worker/main` or `api/main`. */
export type EngineApp = 'worker' | 'api';

/** How the engine's processes are started, for the report. */
export interface WorkerEntry {
  /** `compiled` (node on tsc's output) or `tsx` (the TypeScript sources under tsx). */
  mode: 'compiled' | 'tsx';
  /** node's arguments for each entry point. */
  argsOf(app: EngineApp): string[];
  /** Why it is not the compiled engine, when it is not. */
  note?: string;
}

const nodeArgsOf = (app: EngineApp): readonly string[] =>
  app === 'worker' ? WORKER_NODE_ARGS : [];

/**
 * Compiles the engine as `npm run build` does (tsc -p tsconfig.build.json) into `dir`/dist, next
 * to a link to the repository's node_modules, so `node dir/dist/worker/main.js` resolves its
 * packages as it would in a built checkout. Falls back to tsx when the compile fails.
 */
export async function prepareWorkerEntry(dir: string): Promise<WorkerEntry> {
  const tsx = (note: string): WorkerEntry => ({
    mode: 'tsx',
    argsOf: (app) => [...nodeArgsOf(app), '--import', 'tsx', resolve(ROOT, app, 'main.ts')],
    note,
  });
  if (process.env.BENCH_WORKER === 'tsx') return tsx('BENCH_WORKER=tsx');
  const out = join(dir, 'dist');
  const child = spawnManaged(
    'tsc',
    process.execPath,
    [
      resolve(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      resolve(ROOT, 'tsconfig.build.json'),
      '--outDir',
      out,
    ],
    process.env,
    { cwd: ROOT, log: () => undefined },
  );
  const info = await child.exited;
  if (info.code !== 0) {
    const why = `tsc -p tsconfig.build.json ${describeExit(info)}: ${child.recentOutput().slice(0, 5).join(' / ')}`;
    console.log(`  engine: the compile failed, running it under tsx (${why})`);
    return tsx(why);
  }
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { mode: 'compiled', argsOf: (app) => [...nodeArgsOf(app), join(out, app, 'main.js')] };
}

/** `node dist/worker/main.js` or `node --import tsx worker/main.ts`, for the report. */
export const commandOf = (entry: WorkerEntry, app: EngineApp): string =>
  entry.mode === 'compiled' ? `node dist/${app}/main.js` : `node --import tsx ${app}/main.ts`;

export interface WorkerChild {
  entry: WorkerEntry;
  process: ManagedProcess;
  pid: number | undefined;
  /** Rejects once the process exits before stop() (it never resolves). */
  died(): Promise<never>;
  stop(): Promise<void>;
}

/** The engine's configuration, given to its processes as environment variables. */
export type WorkerEnv = Record<string, string>;

/**
 * Starts an engine process with this process's environment minus every engine variable (so only
 * `engineEnv` configures it, as loadConfig(engineEnv) configures the bench's own client), and
 * waits until `ready` answers.
 */
async function startEngineChild(
  app: EngineApp,
  entry: WorkerEntry,
  engineEnv: WorkerEnv,
  ready: { what: string; probe: (startedAt: Date, pid: number | undefined) => Promise<boolean> },
): Promise<WorkerChild> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(configSchema.shape)) delete env[name];
  Object.assign(env, engineEnv);
  const child = spawnManaged(app, process.execPath, entry.argsOf(app), env, {
    cwd: ROOT,
    log: (_name, line) => process.stderr.write(`[${app}] ${line}\n`),
  });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await child.stop();
  };
  try {
    await waitUntil(() => ready.probe(child.startedAt, child.pid), {
      what: ready.what,
      timeoutMs: 120_000,
      process: child,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    entry,
    process: child,
    pid: child.pid,
    died: () =>
      child.exited.then((info) => {
        if (stopping) return new Promise<never>(() => undefined);
        const output = child.recentOutput();
        throw new Error(
          `the ${app} process ${describeExit(info)}${output.length ? `; its last output:\n${output.join('\n')}` : ''}`,
        );
      }),
    stop,
  };
}

/** The worker process, once it polls both task queues. */
export function startWorkerChild(
  entry: WorkerEntry,
  engineEnv: WorkerEnv,
  temporal: { address: string; namespace: string; queues: EngineQueues },
): Promise<WorkerChild> {
  return startEngineChild('worker', entry, engineEnv, {
    what: `the worker process polling ${Object.values(temporal.queues).join(' and ')}`,
    // By its identity (the SDK's default): with several workers, another one's polls are not its.
    probe: (startedAt, pid) =>
      enginePolling(
        temporal.address,
        temporal.namespace,
        temporal.queues,
        startedAt,
        `${pid}@${hostname()}`,
      ),
  });
}

/** The API process (listening on engineEnv's HOST and PORT), once `/readyz` answers 200. */
export function startApiChild(entry: WorkerEntry, engineEnv: WorkerEnv): Promise<WorkerChild> {
  const url = `http://${engineEnv.HOST ?? '127.0.0.1'}:${engineEnv.PORT ?? '3000'}`;
  return startEngineChild('api', entry, engineEnv, {
    what: `the API process at ${url}/readyz`,
    probe: () => httpOk(`${url}/readyz`),
  });
}

/** VmRSS and VmHWM of a process, in bytes; undefined once it is gone. */
export function workerMemoryOf(pid: number | undefined): WorkerMemory | undefined {
  const status = readProcStatus(pid);
  const rss = status?.VmRSS;
  const hwm = status?.VmHWM;
  return rss === undefined || hwm === undefined ? undefined : { rss, hwm };
}

export interface WorkerMemory {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the kernel's peak resident set since the process started. */
  hwm: number;
}

/**
 * The worker's VmRSS sampled every `everyMs` while `fn` runs, and its VmHWM once `fn` is done:
 * the sampled peak can miss a spike between samples, VmHWM cannot (but it counts since start).
 */
export async function withWorkerRss<T>(
  pid: number | undefined,
  fn: () => Promise<T>,
  everyMs = 100,
): Promise<{ value: T; sampledPeak: number | undefined; hwm: number | undefined }> {
  let sampledPeak: number | undefined;
  const sample = () => {
    const rss = workerMemoryOf(pid)?.rss;
    if (rss !== undefined && (sampledPeak === undefined || rss > sampledPeak)) sampledPeak = rss;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  try {
    const value = await fn();
    sample();
    return { value, sampledPeak, hwm: workerMemoryOf(pid)?.hwm };
  } finally {
    clearInterval(timer);
  }
}
