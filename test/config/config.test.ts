import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../config';
import { configTable } from '../../config/table';
import { randomKey } from '../support/keys';

const root = join(__dirname, '..', '..');
const valid = { ENCRYPTION_KEY: randomKey(), CW_CLIENT_ID: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f' };

test('defaults fill what is not set', () => {
  const config = loadConfig(valid);
  expect(config).toMatchObject({
    PORT: 3000,
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: 'cw-integration',
    MONGODB_URI: 'mongodb://127.0.0.1:27017/cw_engine',
    CW_API_VERSION: '2025.8',
    CW_ALLOW_PRIVATE_HOSTS: false,
  });
});

test('every bad or missing variable is named in one error', () => {
  let error: ConfigError | undefined;
  try {
    loadConfig({
      PORT: 'eighty',
      TEMPORAL_ADDRESS: 'nohost',
      ENCRYPTION_KEY: 'c2hvcnQ=',
      CW_ALLOW_PRIVATE_HOSTS: 'yes',
    });
  } catch (err) {
    error = err as ConfigError;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const named = error!.problems.map((p) => p.split(':')[0]).sort();
  expect(named).toEqual([
    'CW_ALLOW_PRIVATE_HOSTS',
    'CW_CLIENT_ID',
    'ENCRYPTION_KEY',
    'PORT',
    'TEMPORAL_ADDRESS',
  ]);
  expect(error!.message).toContain('CW_CLIENT_ID: is required but not set');
  expect(error!.message).toContain('ENCRYPTION_KEY: must be 32 bytes');
});

test('production refuses to reach private ConnectWise hosts', () => {
  expect(() =>
    loadConfig({ ...valid, NODE_ENV: 'production', CW_ALLOW_PRIVATE_HOSTS: 'true' }),
  ).toThrow(/CW_ALLOW_PRIVATE_HOSTS: must not be true when NODE_ENV is production/);
  expect(
    loadConfig({ ...valid, NODE_ENV: 'development', CW_ALLOW_PRIVATE_HOSTS: 'true' })
      .CW_ALLOW_PRIVATE_HOSTS,
  ).toBe(true);
});

test('an empty variable counts as unset', () => {
  expect(loadConfig({ ...valid, PORT: '' }).PORT).toBe(3000);
});

test('a process started with a bad environment stops with one clear message', async () => {
  const run = promisify(execFile);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URI: 'postgres://x' };
  const failure = await run(join(root, 'node_modules', '.bin', 'tsx'), ['worker/main.ts'], {
    cwd: root,
    env,
  }).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  expect(failure?.code).toBe(78);
  expect(failure?.stderr).toMatch(/^Invalid configuration:/);
  for (const name of ['ENCRYPTION_KEY', 'CW_CLIENT_ID', 'MONGODB_URI'])
    expect(failure?.stderr).toContain(`- ${name}:`);
}, 30_000);

/** Cells of a markdown table, so Prettier's column alignment does not matter. */
const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .filter((row) => !/^\|[\s|:-]+\|$/.test(row))
    .map((row) => row.split('|').map((cell) => cell.trim()));

test("the README's configuration table is the one generated from the schema", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const between = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
  expect(between).not.toBeNull();
  expect(cells(between![1]!)).toEqual(cells(configTable()));
});
