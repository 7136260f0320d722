import { startApiProcess, type ApiProcess } from '../support/api-process';
import { randomKey } from '../support/keys';
import { as, cwBase, useSetupStack } from './setup-helpers';

/**
 * SIGTERM to the API process (issue 20): it takes no new connection, finishes the request in
 * flight (here a board look-up waiting on a slow ConnectWise), and exits 0. The API runs as
 * production starts it (api/main.ts) over the suite's database, where the in-process engine has
 * created partner p1's integration.
 */
// One key for the in-process engine, which seals p1's keys, and the API process, which opens them.
const KEY = randomKey();
const stack = useSetupStack('graceful-shutdown', [], { ENCRYPTION_KEY: KEY });
let api: ApiProcess | undefined;

afterEach(async () => {
  await api?.stop();
});

test('SIGTERM: the request in flight is answered, a new connection is refused, the process exits 0', async () => {
  const { engine, fx } = stack;
  api = await startApiProcess({
    MONGODB_URI: engine.db.uri,
    ENCRYPTION_KEY: KEY,
    CW_ALLOW_PRIVATE_HOSTS: 'true',
    SHUTDOWN_GRACE_SECONDS: '20',
    LOG_LEVEL: 'info',
  });
  // Every ConnectWise request takes 1.5 s: the look-up is in flight when the signal comes.
  await fx.sim.admin.faults.add({ kind: 'latency', ms: 1_500 });
  const started = Date.now();
  const inFlight = fetch(`${api.url}${cwBase('p1')}/boards`, {
    headers: as(engine.tokens.service),
  });
  await new Promise((r) => setTimeout(r, 400));
  const exited = api.exited;
  process.kill(apiPid(api), 'SIGTERM');
  await new Promise((r) => setTimeout(r, 200));

  // New connections are refused once it is shutting down.
  await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { boards: unknown[] };
  expect(body.boards.length).toBeGreaterThan(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  expect(await exited).toBe(0);
  expect(api.output()).toContain('api shutting down');
  expect(api.output()).toContain('api stopped');
}, 60_000);

function apiPid(p: ApiProcess): number {
  if (p.pid === undefined) throw new Error('the API process has no pid');
  return p.pid;
}
