/**
 * The engine's worker as production runs it: its own process, `node dist/worker/main.js` (the
 * output of `tsc -p tsconfig.build.json`, as `npm run build` compiles it, written to the bench's
 * temporary folder) with the prebundled workflows in WORKFLOW_BUNDLE_PATH. If the compile fails,
 * or BENCH_WORKER=tsx, it runs `node --import tsx worker/main.ts` instead, as dev/stack.ts does.
 * Its memory is read from the kernel (/proc/<pid>/status), not from inside.
 */
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configSchema } from '../../config/schema';
import { WORKER_NODE_ARGS } from '../../worker/node-args';
import { describeExit, spawnManaged, type ManagedProcess } from '../../dev/managed';
import { enginePolling, type EngineQueues } from '../../dev/probes';
import { waitUntil } from '../../dev/wait';
import { readProcStatus, ROOT } from './children';

/** How the worker process was started, for the report. */
export interface WorkerEntry {
  /** `compiled` (node on tsc's output) or `tsx` (the TypeScript sources under tsx). */
  mode: 'compiled' | 'tsx';
  args: string[];
  /** Why it is not the compiled worker, when it is not. */
  note?: string;
}

/**
 * Compiles the engine as `npm run build` does (tsc -p tsconfig.build.json) into `dir`/dist, next
 * to a link to the repository's node_modules, so `node dir/dist/worker/main.js` resolves its
 * packages as it would in a built checkout. Falls back to tsx when the compile fails.
 */
export async function prepareWorkerEntry(dir: string): Promise<WorkerEntry> {
  const tsx: WorkerEntry = {
    mode: 'tsx',
    args: [...WORKER_NODE_ARGS, '--import', 'tsx', resolve(ROOT, 'worker', 'main.ts')],
  };
  if (process.env.BENCH_WORKER === 'tsx') return { ...tsx, note: 'BENCH_WORKER=tsx' };
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
    console.log(`  worker: the compile failed, running worker/main.ts under tsx (${why})`);
    return { ...tsx, note: why };
  }
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { mode: 'compiled', args: [...WORKER_NODE_ARGS, join(out, 'worker', 'main.js')] };
}

export interface WorkerChild {
  entry: WorkerEntry;
  process: ManagedProcess;
  pid: number | undefined;
  /** Rejects once the worker process exits before stop() (it never resolves). */
  died(): Promise<never>;
  stop(): Promise<void>;
}

/** The engine's configuration, given to the worker as environment variables. */
export type WorkerEnv = Record<string, string>;

/**
 * Starts the worker with this process's environment minus every engine variable (so only
 * `engineEnv` configures it, as loadConfig(engineEnv) configures the bench's own client), and
 * waits until it polls both task queues.
 */
export async function startWorkerChild(
  entry: WorkerEntry,
  engineEnv: WorkerEnv,
  temporal: { address: string; namespace: string; queues: EngineQueues },
): Promise<WorkerChild> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(configSchema.shape)) delete env[name];
  Object.assign(env, engineEnv);
  const child = spawnManaged('worker', process.execPath, entry.args, env, {
    cwd: ROOT,
    log: (_name, line) => process.stderr.write(`[worker] ${line}\n`),
  });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await child.stop();
  };
  try {
    await waitUntil(
      () => enginePolling(temporal.address, temporal.namespace, temporal.queues, child.startedAt),
      {
        what: `the worker process polling ${Object.values(temporal.queues).join(' and ')}`,
        timeoutMs: 120_000,
        process: child,
      },
    );
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
          `the worker process ${describeExit(info)}${output.length ? `; its last output:\n${output.join('\n')}` : ''}`,
        );
      }),
    stop,
  };
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
