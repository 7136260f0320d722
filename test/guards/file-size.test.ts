import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * No file of engine or console code over 300 lines (generated ones aside): a module longer than
 * that is two modules, and a reader should not have to page through one to follow a flow.
 */
const root = join(__dirname, '..', '..');
const ENGINE = [
  'activities',
  'api',
  'config',
  'connectwise',
  'db',
  'domain',
  'observability',
  'security',
  'services',
  'temporal',
  'worker',
  'workflows',
  'console/src',
];
/** Generated from the API's OpenAPI document (openapi-typescript). */
const GENERATED = new Set(['console/src/api/schema.d.ts']);
const LIMIT = 300;

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx)$/.test(name)) yield relative(root, path);
  }
}

test(`no engine or console source file is over ${LIMIT} lines`, () => {
  const files = ENGINE.flatMap((dir) => [...sources(join(root, dir))]);
  expect(files.length).toBeGreaterThan(100);
  const long = files
    .filter((f) => !GENERATED.has(f))
    .map((f) => ({ file: f, lines: readFileSync(join(root, f), 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > LIMIT)
    .map((f) => `${f.file}: ${f.lines}`);
  expect(long).toEqual([]);
});
