import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
/** The folders that production images run (ARCHITECTURE.md). */
const PRODUCTION = [
  ...['config', 'security', 'connectwise', 'domain', 'db', 'workflows', 'temporal'],
  ...['services', 'activities', 'api', 'worker'],
];

const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/** The npm packages a folder's code imports at run time (type-only imports left out). */
const packagesImportedBy = (dirs: string[]): Set<string> => {
  const found = new Set<string>();
  for (const file of dirs.flatMap(filesUnder)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/^import (?!type )[^;]*?from '([^.'][^']*)'/gms)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return found;
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

test('packages only the simulator uses are dev dependencies, so production images lack them', () => {
  const production = packagesImportedBy(PRODUCTION);
  const simulatorOnly = [...packagesImportedBy(['simulator'])].filter((p) => !production.has(p));
  expect(simulatorOnly).toEqual(expect.arrayContaining(['express-openapi-validator', 'yaml']));
  for (const name of simulatorOnly) {
    expect([name, pkg.dependencies[name]]).toEqual([name, undefined]);
    expect(pkg.devDependencies[name]).toBeDefined();
  }
});

test('every package production code imports is a production dependency', () => {
  for (const name of packagesImportedBy(PRODUCTION)) {
    expect([name, typeof pkg.dependencies[name]]).toEqual([name, 'string']);
  }
});

test('the production build compiles neither the simulator nor the dev tools', () => {
  const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
    exclude: string[];
  };
  expect(build.exclude).toEqual(expect.arrayContaining(['simulator', 'dev', 'test', 'bench']));
});
