/** What a benchmark ran on and which engine it measured, printed at its start. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { ROOT } from './children';

const ENGINE_FOLDERS = [
  'activities',
  'api',
  'services',
  'workflows',
  'domain',
  'db',
  'worker',
  'connectwise',
];

/** The engine measured: the commit, and whether engine folders had uncommitted changes. */
function engineVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', ...ENGINE_FOLDERS);
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + uncommitted changes in ${dirty.split('\n').length} engine files` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

export const machine = (): string =>
  [
    `engine: ${engineVersion()}`,
    `date: ${new Date().toISOString()}`,
    `nproc: ${availableParallelism()}`,
    `CPU: ${cpus()[0]?.model ?? 'unknown'}`,
    `RAM: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `Node: ${process.version}`,
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ].join('\n');

/** The machine's CPU ticks so far (all cores): busy and total (/proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...fields] = line.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Waits until the machine's CPU is under 15% busy over two consecutive 3-second samples (at most
 * 3 minutes): the measurements start on a quiet machine. Answers the seconds waited.
 */
export async function quiet(): Promise<number> {
  const started = performance.now();
  let calm = 0;
  while (calm < 2 && performance.now() - started < 180_000) {
    const before = machineCpu();
    await new Promise((r) => setTimeout(r, 3_000));
    const after = machineCpu();
    calm = (after.busy - before.busy) / (after.total - before.total) < 0.15 ? calm + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}
