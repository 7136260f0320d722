import fc from 'fast-check';
import { IntegrationGate } from '../../services/billing/integration-gate';
import { WorkPriority } from '../../services/work-priority';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Counts background calls in flight and the most seen while foreground work ran. */
function tracker(priority: WorkPriority) {
  let inFlight = 0;
  const t = {
    most: 0,
    mostWhileBusy: 0,
    started: [] as number[],
    call: (id: number, ms: number) =>
      priority.background(async () => {
        inFlight += 1;
        t.started.push(id);
        t.most = Math.max(t.most, inFlight);
        if (priority.busy) t.mostWhileBusy = Math.max(t.mostWhileBusy, inFlight);
        await sleep(ms);
        inFlight -= 1;
        return id;
      }),
  };
  return t;
}

test('with no foreground work, background calls are not held', async () => {
  const priority = new WorkPriority({ backgroundWhileBusy: 2, busyAfterMs: 20 });
  const t = tracker(priority);
  await Promise.all(Array.from({ length: 12 }, (_, i) => t.call(i, 10)));
  expect(t.most).toBe(12);
});

test('while a ticket step runs, billing goes two calls at a time, then all at once once quiet', async () => {
  const priority = new WorkPriority({ backgroundWhileBusy: 2, busyAfterMs: 30 });
  const t = tracker(priority);
  let releaseStep!: () => void;
  const step = priority.foreground(() => new Promise<void>((r) => (releaseStep = r)));
  const calls = Array.from({ length: 20 }, (_, i) => t.call(i, 10));
  await sleep(40);
  // Two at a time for 40 ms of 10 ms calls: some done, never more than two together.
  expect(t.mostWhileBusy).toBe(2);
  expect(t.started.length).toBeGreaterThan(2);
  expect(t.started.length).toBeLessThan(20);
  expect(priority.queued).toBeGreaterThan(0);
  releaseStep();
  await step;
  expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  // In line order, and the rest all at once once the foreground was quiet.
  expect(t.started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(t.most).toBeGreaterThan(2);
  expect(priority.busy).toBe(false);
});

test('after the foreground ends, the held calls wait out the quiet time and then all go', async () => {
  const priority = new WorkPriority({ backgroundWhileBusy: 1, busyAfterMs: 60 });
  const t = tracker(priority);
  await priority.foreground(() => sleep(1));
  const started = Date.now();
  // A slow call holds the one slot; the others wait for the quiet time, not for it.
  const slow = t.call(0, 200);
  const rest = Array.from({ length: 5 }, (_, i) => t.call(i + 1, 5));
  await Promise.all(rest);
  const tookMs = Date.now() - started;
  expect(tookMs).toBeGreaterThanOrEqual(50);
  expect(tookMs).toBeLessThan(190);
  await slow;
  expect(t.most).toBe(6);
});

test('a waiting call whose activity is cancelled leaves the line; the others still run', async () => {
  const priority = new WorkPriority({ backgroundWhileBusy: 1, busyAfterMs: 10 });
  const t = tracker(priority);
  let releaseStep!: () => void;
  const step = priority.foreground(() => new Promise<void>((r) => (releaseStep = r)));
  const first = t.call(0, 20);
  const abort = new AbortController();
  const cancelled = priority.background(() => Promise.resolve('ran'), abort.signal);
  const after = t.call(2, 1);
  abort.abort(new Error('activity cancelled'));
  await expect(cancelled).rejects.toThrow('activity cancelled');
  releaseStep();
  await step;
  expect(await Promise.all([first, after])).toEqual([0, 2]);
  expect(priority.queued).toBe(0);
});

test("an integration gate's calls yield to the worker's ticket steps", async () => {
  const priority = new WorkPriority({ backgroundWhileBusy: 1, busyAfterMs: 10 });
  const gate = new IntegrationGate(5, priority);
  let inFlight = 0;
  let most = 0;
  let releaseStep!: () => void;
  const step = priority.foreground(() => new Promise<void>((r) => (releaseStep = r)));
  const calls = Array.from({ length: 6 }, () =>
    gate.run(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(5);
      inFlight -= 1;
    }),
  );
  await sleep(30);
  releaseStep();
  await step;
  await Promise.all(calls);
  // Held to one by the ticket step although the integration allows five.
  expect(most).toBe(1);
});

test('property: every background call runs exactly once, in line order, bounded while busy', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          kind: fc.constantFrom('foreground', 'background'),
          afterMs: fc.integer({ min: 0, max: 3 }),
          ms: fc.integer({ min: 0, max: 12 }),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      fc.integer({ min: 1, max: 3 }),
      async (work, limit) => {
        const priority = new WorkPriority({ backgroundWhileBusy: limit, busyAfterMs: 15 });
        const t = tracker(priority);
        const all: Array<Promise<unknown>> = [];
        let id = 0;
        const expected: number[] = [];
        for (const w of work) {
          await sleep(w.afterMs);
          if (w.kind === 'foreground') all.push(priority.foreground(() => sleep(w.ms)));
          else {
            expected.push(id);
            all.push(t.call(id++, w.ms));
          }
        }
        await Promise.all(all);
        expect(t.started).toEqual(expected);
        // Counted as each call starts: one started while tickets were busy found room in the bound.
        expect(t.mostWhileBusy).toBeLessThanOrEqual(limit);
        expect(priority.queued).toBe(0);
      },
    ),
    { numRuns: 25 },
  );
});
