import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardLines } from '../../dev/managed';
import { startTemporalDevServer } from '../../dev/processes';
import { requireTool } from '../../dev/tools';

jest.setTimeout(120_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'temporal-retry-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A `temporal` that dies at start the first time (as on a port race), then is the real one. */
function flakyTemporal(): { path: string; launches: () => number } {
  const counter = join(dir, 'launches');
  writeFileSync(counter, '');
  const path = join(dir, 'temporal');
  writeFileSync(
    path,
    `#!/bin/sh\necho x >> '${counter}'\nif [ "$(wc -l < '${counter}')" -eq 1 ]; then echo 'panic: port taken' >&2; exit 2; fi\nexec '${requireTool('temporal')}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return { path, launches: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length };
}

test('a dev server that dies at start on ports it chose itself is started again', async () => {
  const fake = flakyTemporal();
  const server = await startTemporalDevServer({
    headless: true,
    log: discardLines,
    env: { ...process.env, TEMPORAL_CLI_PATH: fake.path },
  });
  await server.stop();
  expect(fake.launches()).toBe(2);
});

test('with a port the caller fixed, the failure is reported, not retried', async () => {
  const fake = flakyTemporal();
  await expect(
    startTemporalDevServer({
      headless: true,
      port: 0,
      log: discardLines,
      env: { ...process.env, TEMPORAL_CLI_PATH: fake.path },
    }),
  ).rejects.toThrow(/exited with code 2/);
  expect(fake.launches()).toBe(1);
});
