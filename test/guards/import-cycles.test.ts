import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * No import cycle in the engine (nor a run-time one in the simulator): a module is read once its imports are, top-down. dpdm (its CLI:
 * the package is ESM, which jest does not load) reads
 * every entry point's import graph, with type-only imports left out (what runs) and kept (what a
 * reader follows).
 */
const root = join(__dirname, '..', '..');
const ENTRIES = [
  'api/main.ts',
  'api/cli/*.ts',
  'worker/main.ts',
  'worker/prebundle.ts',
  'workflows/index.ts',
];
/** Checked for run-time cycles too (its type-only ones are its own business). */
const SIMULATOR = 'simulator/main.ts';

const cycles = (withTypes: boolean, entries: readonly string[]): string[] => {
  const dir = mkdtempSync(join(tmpdir(), 'dpdm-'));
  try {
    const output = join(dir, 'graph.json');
    execFileSync(
      join(root, 'node_modules', '.bin', 'dpdm'),
      [
        '--no-tree',
        '--no-warning',
        '--no-circular',
        '--no-progress',
        ...(withTypes ? [] : ['--transform']),
        '--exclude',
        'node_modules',
        '--output',
        output,
        ...entries,
      ],
      { cwd: root, stdio: 'pipe' },
    );
    const { circulars } = JSON.parse(readFileSync(output, 'utf8')) as { circulars: string[][] };
    return circulars.map((cycle) => cycle.join(' -> '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

jest.setTimeout(120_000);

test('no run-time import cycle', () => {
  expect(cycles(false, [...ENTRIES, SIMULATOR])).toEqual([]);
});

test('no type-import cycle', () => {
  expect(cycles(true, ENTRIES)).toEqual([]);
});
