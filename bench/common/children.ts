/**
 * The benchmarks' child processes, started as the local stack starts its own (`node --import tsx`:
 * one process each, stopped with its process group): the simulator and the workflow prebundle.
 * The engine's own processes (worker, API) are in engine-process.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAdminClient, type SimulatorAdmin } from '../../simulator';
import { describeExit, spawnManaged, type ManagedProcess } from '../../dev/managed';

export const ROOT = resolve(__dirname, '..', '..');

export interface SimulatorChild {
  origin: string;
  admin: SimulatorAdmin;
  process: ManagedProcess;
  /** The child's peak resident set (VmHWM), in MB, while it still runs. */
  peakRssMb(): number | undefined;
  stop(): Promise<void>;
}

/** The `kB` fields of /proc/<pid>/status (VmRSS, VmHWM…), in bytes; undefined once it is gone. */
export function readProcStatus(pid: number | undefined): Record<string, number> | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields: Record<string, number> = {};
    for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm))
      fields[m[1]!] = Number(m[2]) * 1024;
    return fields;
  } catch {
    return undefined;
  }
}

/** Kernel's peak RSS of a process (VmHWM), in MB; undefined once it is gone or off Linux. */
export function peakRssMbOf(pid: number | undefined): number | undefined {
  const hwm = readProcStatus(pid)?.VmHWM;
  return hwm === undefined ? undefined : hwm / 1024 / 1024;
}

/**
 * The simulator in its own process: `script` serves it (sim-server.ts `serveSimulator`) and
 * announces its origin; `env` is added to this process's environment.
 */
export async function startSimulatorChild(
  script: string,
  env: Record<string, string> = {},
): Promise<SimulatorChild> {
  let announce: (origin: string) => void = () => undefined;
  const announced = new Promise<string>((r) => (announce = r));
  const child = spawnManaged(
    'simulator',
    process.execPath,
    ['--import', 'tsx', script],
    { ...process.env, ...env },
    {
      cwd: ROOT,
      log: (_name, line) => {
        const m = /^\{"origin":"([^"]+)"\}$/.exec(line);
        if (m?.[1]) announce(m[1]);
        else process.stderr.write(`[simulator] ${line}\n`);
      },
    },
  );
  const origin = await Promise.race([
    announced,
    child.exited.then((info) => {
      throw new Error(`the simulator ${describeExit(info)}: ${child.recentOutput().join('\n')}`);
    }),
  ]);
  return {
    origin,
    admin: createAdminClient(origin),
    process: child,
    peakRssMb: () => peakRssMbOf(child.pid),
    stop: async () => {
      await child.stop();
    },
  };
}

/** Bundles workflows/ in a child (webpack's memory is not the worker's), as production does. */
export async function prebundleInChild(out: string): Promise<void> {
  const child = spawnManaged(
    'prebundle',
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'worker', 'prebundle.ts'), out],
    process.env,
    { cwd: ROOT, log: () => undefined },
  );
  const info = await child.exited;
  if (info.code !== 0) {
    throw new Error(
      `the workflow prebundle ${describeExit(info)}: ${child.recentOutput().join('\n')}`,
    );
  }
}

/** Every live process below `pid` (from /proc's parent ids). */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const below: number[] = [];
  let level = [pid];
  while (level.length > 0) {
    level = [...parentOf].filter(([, parent]) => level.includes(parent)).map(([child]) => child);
    below.push(...level);
  }
  return below;
}

/** CPU seconds (user + system) a process has used so far; undefined once it is gone or off Linux. */
export function cpuSecondsOf(pid: number | undefined, tree = false): number | undefined {
  if (pid === undefined) return undefined;
  if (tree) {
    // A server that forks a process per connection (PostgreSQL): its own and every descendant's.
    const own = cpuSecondsOf(pid);
    if (own === undefined) return undefined;
    return descendantsOf(pid).reduce((sum, child) => sum + (cpuSecondsOf(child) ?? 0), own);
  }
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command; in ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by `roots` and every live process below them, summed by the role `roleOf`
 * gives its command line (processes it gives none are left out). One that ended is not counted.
 */
export function cpuSecondsByRole(
  roots: number[],
  roleOf: (commandLine: string) => string | undefined,
): Map<string, number> {
  const byRole = new Map<string, number>();
  for (const pid of new Set(roots.flatMap((root) => [root, ...descendantsOf(root)]))) {
    try {
      const role = roleOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      const seconds = role === undefined ? undefined : cpuSecondsOf(pid);
      if (role !== undefined && seconds !== undefined)
        byRole.set(role, (byRole.get(role) ?? 0) + seconds);
    } catch {
      // Gone meanwhile.
    }
  }
  return byRole;
}
