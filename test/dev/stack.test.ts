import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CREDENTIALS } from '../../simulator';
import { discardLines, runningProcesses } from '../../dev/managed';
import { pingMongo } from '../../dev/probes';
import { startStack } from '../../dev/stack';
import { PartError } from '../../dev/wait';

jest.setTimeout(180_000);

// The launcher is tested with stand-ins, so it does not depend on the real worker and API.
const standIns = {
  worker: 'test/dev/fixtures/stand-in-worker.ts',
  api: 'test/dev/fixtures/stand-in-api.ts',
};
const env = {
  ...process.env,
  MONGODB_URI: undefined,
  TEMPORAL_ADDRESS: undefined,
  TEMPORAL_TASK_QUEUE: undefined,
  ENCRYPTION_KEY: undefined,
};

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-stack-test-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('startStack (ephemeral, with stand-in worker and API)', () => {
  it('starts every part, wires them together, and reports a part that dies', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(dataDir, 'dev.env'), `ENCRYPTION_KEY=${key}\n`);
    const stack = await startStack({
      ephemeral: true,
      dataDir,
      env,
      log: discardLines,
      entries: standIns,
    });
    try {
      expect(stack.apiDocsUrl).toBe(`${stack.apiUrl}/v1/docs`);
      expect(stack.temporalUiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const given = (await (await fetch(`${stack.apiUrl}/env`)).json()) as Record<string, string>;
      expect(given).toEqual({
        MONGODB_URI: stack.mongoUri,
        TEMPORAL_ADDRESS: stack.temporalAddress,
        TEMPORAL_TASK_QUEUE: 'cw-integration',
        CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
        allowPrivate: 'true',
        key, // the one persisted in dev.env, not a new one
      });
      expect(await pingMongo(stack.mongoUri)).toBe(true);
      const info = await fetch(
        `${stack.simulator.origin}/login/companyinfo/${stack.simulator.credentials.companyId}`,
      );
      expect(info.status).toBe(200);

      await fetch(`${stack.apiUrl}/crash`);
      const failure = await stack.failed;
      expect(failure).toMatchObject({
        part: 'api',
        summary: 'api exited with code 5 while the stack was running',
      });
      expect(failure.recentOutput).toContain('stand-in api crashing on request');
    } finally {
      await stack.stop();
    }
    expect(runningProcesses()).toEqual([]);
  });

  it('names the part that fails to start, with its output, and stops the rest', async () => {
    const error = await startStack({
      ephemeral: true,
      dataDir,
      env,
      log: discardLines,
      entries: { ...standIns, worker: 'test/dev/fixtures/crashing-app.ts' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartError);
    const { part, summary, recentOutput } = error as PartError;
    expect(part).toBe('worker');
    expect(summary).toMatch(/^worker exited with code 2 before a worker polling/);
    expect(recentOutput).toEqual(['stand-in failure: cannot reach the database']);
    expect(runningProcesses()).toEqual([]);
  });
});
