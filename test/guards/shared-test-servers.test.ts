import { ON_DEMAND, shared } from '../support/shared-env';
import { SharedServers, type Started, type Starters } from '../support/shared-servers';
import { startEngine } from '../support/engine';

// The test servers a run shares (test/support/global-setup.ts): each starts once, only when a
// file first asks, and every engine of the run uses the same Temporal dev server.

function countingStarters() {
  const starts: string[] = [];
  const stops: string[] = [];
  const fake = (name: string) => async (): Promise<Started> => {
    starts.push(name);
    await new Promise((r) => setTimeout(r, 20));
    return { value: `${name}-address`, stop: () => Promise.resolve(void stops.push(name)) };
  };
  const starters: Starters = {
    database: fake('database'),
    temporal: fake('temporal'),
    workflowBundle: () => {
      starts.push('workflowBundle');
      return Promise.reject(new Error('webpack failed'));
    },
  };
  return { starters, starts, stops };
}

test('a shared server starts on the first request only, once for concurrent requests', async () => {
  const { starters, starts, stops } = countingStarters();
  const servers = new SharedServers(starters);
  const url = await servers.listen();
  expect(starts).toEqual([]);
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => fetch(`${url}/temporal`).then((r) => r.text())),
  );
  expect(answers).toEqual(Array(5).fill('temporal-address'));
  expect(starts).toEqual(['temporal']);

  const failed = await fetch(`${url}/workflowBundle`);
  expect(failed.status).toBe(500);
  expect(await failed.text()).toBe('webpack failed');
  expect((await fetch(`${url}/nope`)).status).toBe(404);

  await servers.close();
  expect(stops).toEqual(['temporal']);
});

test('engines of the run share one Temporal dev server, each on task queues of its own', async () => {
  expect(process.env[ON_DEMAND]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const [a, b] = await Promise.all([startEngine('shared-a'), startEngine('shared-b')]);
  try {
    const address = await shared('temporal');
    expect(a.config.TEMPORAL_ADDRESS).toBe(address);
    expect(b.config.TEMPORAL_ADDRESS).toBe(address);
    expect(a.config.TEMPORAL_TASK_QUEUE).not.toBe(b.config.TEMPORAL_TASK_QUEUE);
    await a.client.workflowService.getSystemInfo({});
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}, 60_000);
