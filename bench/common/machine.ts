/** What a benchmark ran on and which engine it measured, printed at its start. */
import { execFileSync } from 'node:child_process';
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
