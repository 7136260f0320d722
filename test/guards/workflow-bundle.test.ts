import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { flaggedLines, probePath } from '../support/eslint';

function collectingLogger() {
  const errors: string[] = [];
  const ignore = () => undefined;
  const logger = {
    log: ignore,
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message: string, meta?: unknown) => errors.push(`${message} ${JSON.stringify(meta)}`),
  };
  return { logger, errors };
}

test('workflows/ bundles for the deterministic sandbox', async () => {
  const { logger } = collectingLogger();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger });
  expect(code).toContain('integrationLifecycle');
}, 60_000);

test('a workflow that imports a Node built-in fails to bundle, naming the module', async () => {
  // Inside the clone, so webpack resolves @temporalio/workflow as it would for workflows/.
  const cache = join(__dirname, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'wf-guard-'));
  const path = join(dir, 'bad.ts');
  writeFileSync(
    path,
    "import { readFileSync } from 'fs';\nexport async function bad(): Promise<string> { return readFileSync('/etc/hostname', 'utf8'); }\n",
  );
  const { logger, errors } = collectingLogger();
  await expect(bundleWorkflowCode({ workflowsPath: path, logger })).rejects.toThrow(/Webpack/);
  rmSync(dir, { recursive: true, force: true });
  expect(errors.join('\n')).toMatch(/'fs'/);
}, 60_000);

describe('the lint rule that keeps I/O out of workflows/', () => {
  const source = [
    "import { sleep } from '@temporalio/workflow';", // 1: allowed
    "import fs from 'fs';", // 2
    "import { readFile } from 'node:fs/promises';", // 3
    "import mongoose from 'mongoose';", // 4
    "import express from 'express';", // 5
    "import { Client } from '@temporalio/client';", // 6
    "import type { Activities } from '../activities';", // 7: type-only is allowed
    'export { sleep, fs, readFile, mongoose, express, Client };',
    'export type { Activities };',
    '',
  ].join('\n');

  test('flags each I/O import under workflows/ and only those, and the same imports nowhere else', () => {
    const flagged = flaggedLines(
      { [probePath('workflows')]: source, [probePath('worker')]: source },
      'no-restricted-imports',
    );
    expect(flagged).toEqual({
      [probePath('workflows')]: [2, 3, 4, 5, 6],
      [probePath('worker')]: [],
    });
  }, 120_000);
});
