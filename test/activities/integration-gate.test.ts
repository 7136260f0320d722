/* eslint-disable @typescript-eslint/require-await -- the calls stand in for async ConnectWise calls */
import { ConnectWiseError } from '../../connectwise';
import {
  IntegrationGate,
  IntegrationGates,
  THROTTLED_ATTEMPTS,
  THROTTLE_WINDOW_MS,
} from '../../services/billing/integration-gate';

const throttled = (retryAfterMs?: number) =>
  new ConnectWiseError({
    status: 429,
    code: 'TooManyRequests',
    message: 'slow down',
    retryAfterMs,
  });

test('never more than `concurrency` calls in flight', async () => {
  const gate = new IntegrationGate(3);
  let inFlight = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      gate.run(async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
      }),
    ),
  );
  expect(most).toBe(3);
});

test('a 429 holds every call of the integration until its Retry-After, then sends the call again', async () => {
  const gate = new IntegrationGate(2);
  const startedAt: number[] = [];
  let first = true;
  const t0 = Date.now();
  const results = await Promise.all([
    gate.run(async () => {
      if (first) {
        first = false;
        throw throttled(300);
      }
      startedAt.push(Date.now() - t0);
      return 'retried';
    }),
    // Starts after the 429: must wait for the pause too.
    new Promise((r) => setTimeout(r, 50)).then(() =>
      gate.run(async () => {
        startedAt.push(Date.now() - t0);
        return 'other';
      }),
    ),
  ]);
  expect(results).toEqual(['retried', 'other']);
  for (const at of startedAt) expect(at).toBeGreaterThanOrEqual(290);
});

test('a call throttled every time fails after the last attempt; other errors are not retried', async () => {
  const gate = new IntegrationGate(1);
  let calls = 0;
  await expect(
    gate.run(async () => {
      calls += 1;
      throw throttled(1);
    }),
  ).rejects.toMatchObject({ kind: 'throttled' });
  expect(calls).toBe(THROTTLED_ATTEMPTS);

  let failures = 0;
  await expect(
    gate.run(async () => {
      failures += 1;
      throw new ConnectWiseError({ status: 500, code: 'x', message: 'boom' });
    }),
  ).rejects.toMatchObject({ status: 500 });
  expect(failures).toBe(1);
});

test('a cancelled activity stops waiting out a pause', async () => {
  const paused = new IntegrationGate(1);
  let once = true;
  const controller = new AbortController();
  const run = paused.run(async () => {
    if (once) {
      once = false;
      setTimeout(() => controller.abort(new Error('cancelled')), 20);
      throw throttled(60_000);
    }
    return 'never';
  }, controller.signal);
  await expect(run).rejects.toThrow('cancelled');
});

test('one gate per integration, replaced when its concurrency setting changes', () => {
  const gates = new IntegrationGates();
  const a = gates.for('i1', 4);
  expect(gates.for('i1', 4)).toBe(a);
  expect(gates.for('i2', 4)).not.toBe(a);
  const changed = gates.for('i1', 8);
  expect(changed).not.toBe(a);
  expect(changed.concurrency).toBe(8);
});

test('the 429s of the last 15 minutes are counted with the pauses they asked for, then forgotten', async () => {
  let now = 1_000_000;
  const gate = new IntegrationGate(1, undefined, () => now);
  expect(gate.throttling()).toEqual({ count: 0, pausedMs: 0 });
  let left = 2;
  await gate.run(async () => {
    if (left-- > 0) throw throttled(0);
    return 'ok';
  });
  await expect(
    gate.run(async () => {
      throw throttled(0);
    }),
  ).rejects.toMatchObject({ kind: 'throttled' });
  // 2 before the first call went through, THROTTLED_ATTEMPTS for the one that failed.
  expect(gate.throttling()).toEqual({ count: 2 + THROTTLED_ATTEMPTS, pausedMs: 0 });
  now += THROTTLE_WINDOW_MS + 1;
  expect(gate.throttling()).toEqual({ count: 0, pausedMs: 0 });
});
