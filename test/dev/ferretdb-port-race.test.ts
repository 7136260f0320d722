import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardLines } from '../../dev/managed';
import { startFerretDb } from '../../dev/processes';
import { requireTool } from '../../dev/tools';

jest.setTimeout(120_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferretdb-port-race-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A `ferretdb` whose first launch fails as the real one did in CI when another process had bound
 * its port first (its own words), then is the real one; `failure` replaces those words.
 */
function racedFerretDb(
  failure = 'ERROR+3\tferretdb/main.go:565\tFailed to construct listener\t{"error":"[listener.go:103 clientconn.Listen] listen tcp 127.0.0.1:$port: bind: address already in use"}',
): { path: string; ports: () => string[] } {
  const launches = join(dir, 'launches');
  writeFileSync(launches, '');
  const path = join(dir, 'ferretdb');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `port=$(printf '%s\\n' "$@" | sed -n 's/^--listen-addr=.*://p')`,
      `echo "$port" >> '${launches}'`,
      `if [ "$(wc -l < '${launches}')" -eq 1 ]; then echo "${failure.replace(/"/g, '\\"')}" >&2; exit 1; fi`,
      `exec '${requireTool('ferretdb')}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, ports: () => readFileSync(launches, 'utf8').split('\n').filter(Boolean) };
}

const env = (fake: { path: string }) => ({ ...process.env, FERRETDB_PATH: fake.path });

test('FerretDB whose free port was taken before it bound is started again on another', async () => {
  const fake = racedFerretDb();
  const db = await startFerretDb({
    dataDir: join(dir, 'data'),
    ephemeral: true,
    log: discardLines,
    env: env(fake),
  });
  try {
    const [lost, used] = fake.ports();
    expect(fake.ports()).toHaveLength(2);
    expect(used).not.toBe(lost);
    expect(db.port).toBe(Number(used));
  } finally {
    await db.stop();
  }
});

test('a port the caller fixed is not traded for another: the failure is reported', async () => {
  const fake = racedFerretDb();
  const { freePort } = await import('../../dev/ports');
  const port = await freePort();
  await expect(
    startFerretDb({
      dataDir: join(dir, 'data'),
      port,
      ephemeral: true,
      log: discardLines,
      env: env(fake),
    }),
  ).rejects.toThrow(/exited with code 1[\s\S]*address already in use/);
  expect(fake.ports()).toEqual([String(port)]);
});

test('FerretDB failing at start for another reason is not retried', async () => {
  const fake = racedFerretDb('FATAL: bad flag');
  await expect(
    startFerretDb({
      dataDir: join(dir, 'data'),
      ephemeral: true,
      log: discardLines,
      env: env(fake),
    }),
  ).rejects.toThrow(/exited with code 1[\s\S]*bad flag/);
  expect(fake.ports()).toHaveLength(1);
});
