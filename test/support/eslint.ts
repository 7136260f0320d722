import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * Lints each source as a new file at its path in the repo (the type-aware parser needs real files),
 * in one run of the ESLint CLI as CI runs it (jest cannot load its ESM config), and returns, per
 * path, the lines that rules ending in `rule` flag. The files are removed again.
 */
export function flaggedLines(
  sources: Record<string, string>,
  rule: string,
): Record<string, number[]> {
  const paths = Object.keys(sources);
  let out: string;
  try {
    for (const path of paths) writeFileSync(join(root, path), sources[path]!);
    try {
      out = execFileSync(
        join(root, 'node_modules', '.bin', 'eslint'),
        ['--no-warn-ignored', '--format', 'json', ...paths],
        { cwd: root, encoding: 'utf8' },
      );
    } catch (err) {
      out = (err as { stdout: string }).stdout;
    }
  } finally {
    for (const path of paths) rmSync(join(root, path), { force: true });
  }
  const results = JSON.parse(out) as Array<{
    filePath: string;
    messages: Array<{ ruleId: string | null; line: number }>;
  }>;
  return Object.fromEntries(
    results.map((r) => [
      relative(root, r.filePath),
      r.messages.filter((m) => (m.ruleId ?? '').endsWith(rule)).map((m) => m.line),
    ]),
  );
}

/** A file name under `folder` that no one else uses while this process runs. */
export const probePath = (folder: string) => `${folder}/zz-lint-probe-${process.pid}.ts`;
