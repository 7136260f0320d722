/**
 * An open-loop load: GET requests sent at evenly spaced moments whatever the answers do, each
 * latency measured from the moment it was due (so a slow server cannot slow the load down and
 * hide its own delay: no coordinated omission), as a portal's pollers would send them.
 *
 * Not autocannon: its fixed rate sends each second's quota back to back at the start of the second
 * (a burst of the whole rate, then silence), and corrects latencies with a 1 ms expected interval
 * (`Math.ceil(1 / rate)`), so its percentiles at a fixed rate measure neither a steady load nor
 * the server.
 *
 * The load runs in a process of its own (`runOpenLoops`): its event loop's stalls are part of
 * every latency it reads, so it shares it with nothing (the bench's process also serves the
 * simulator). It sends with node:http and a keep-alive agent, not fetch: a tenth of fetch's CPU a
 * request, so the load takes as little of the machine it measures as it can.
 */
import { fork } from 'node:child_process';
import { Agent, get } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface OpenLoopFigures {
  /** Latency of every request, in ms from the moment it was due, sorted. */
  latencies: number[];
  /** Requests not answered 200 (or not answered within the timeout). */
  errors: number;
  /** Those by status (0: no answer: a failed connection or the timeout). */
  errorStatuses: Record<number, number>;
  /** The slowest requests: when each was due (ms after the first) and its latency. */
  slowest: Array<{ dueMs: number; ms: number }>;
}

export interface OpenLoop {
  url: string;
  headers: Record<string, string>;
  ratePerSecond: number;
  /** Where in the first interval the first request is due (0–1): spreads several loads. */
  phase?: number;
}

export interface OpenLoopsResult {
  figures: OpenLoopFigures[];
  /** The load process's own event-loop delay (ms): part of every latency it measured. */
  ownDelay: { p99: number; max: number };
  /** CPU the load process used while measured. */
  cpuSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMEOUT_MS = 10_000;

/** One GET to its end (body read); its status, 0 when it failed or timed out. */
function getStatus(url: string, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent, headers, timeout: TIMEOUT_MS }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function openLoop(load: OpenLoop, seconds: number, agent: Agent): Promise<OpenLoopFigures> {
  const interval = 1000 / load.ratePerSecond;
  const count = Math.floor(load.ratePerSecond * seconds);
  const start = performance.now() + (load.phase ?? 0) * interval;
  const timed: Array<{ dueMs: number; ms: number }> = [];
  let errors = 0;
  const errorStatuses: Record<number, number> = {};
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sent.push(
      getStatus(load.url, load.headers, agent).then((status) => {
        if (status !== 200) {
          errors += 1;
          errorStatuses[status] = (errorStatuses[status] ?? 0) + 1;
        }
        timed.push({ dueMs: due - start, ms: performance.now() - due });
      }),
    );
  }
  await Promise.all(sent);
  timed.sort((a, b) => a.ms - b.ms);
  return {
    latencies: timed.map((t) => t.ms),
    errors,
    errorStatuses,
    slowest: timed.slice(-5).reverse(),
  };
}

/**
 * Runs the loads side by side in a process of their own: `warmupSeconds` unmeasured (the
 * connections a steady load keeps open are opened), `onMeasuring` called, then `seconds` measured.
 */
export async function runOpenLoops(
  loads: OpenLoop[],
  times: { warmupSeconds: number; seconds: number; onMeasuring: () => void },
): Promise<OpenLoopsResult> {
  const child = fork(__filename, ['--open-loop'], { execArgv: ['--import', 'tsx'] });
  try {
    return await new Promise<OpenLoopsResult>((resolve, reject) => {
      child.on('message', (m: LoadMessage) => {
        if (m.kind === 'measuring') times.onMeasuring();
        else resolve({ figures: m.figures, ownDelay: m.ownDelay, cpuSeconds: m.cpuSeconds });
      });
      child.once('exit', (code) => reject(new Error(`the load process exited (${code})`)));
      child.send({ loads, warmupSeconds: times.warmupSeconds, seconds: times.seconds });
    });
  } finally {
    child.kill();
  }
}

type LoadMessage = { kind: 'measuring' } | ({ kind: 'done' } & OpenLoopsResult);

/** The load process: runs what it is sent, answers the figures of the measured part. */
if (process.argv.includes('--open-loop')) {
  process.once('message', (m) => {
    const { loads, warmupSeconds, seconds } = m as {
      loads: OpenLoop[];
      warmupSeconds: number;
      seconds: number;
    };
    const agent = new Agent({ keepAlive: true });
    const send = (message: LoadMessage) =>
      new Promise<void>((resolve) => process.send!(message, () => resolve()));
    const run = (s: number) => Promise.all(loads.map((load) => openLoop(load, s, agent)));
    void (async () => {
      await run(warmupSeconds);
      await send({ kind: 'measuring' });
      const delay = monitorEventLoopDelay({ resolution: 5 });
      const cpu = process.cpuUsage();
      delay.enable();
      const figures = await run(seconds);
      delay.disable();
      const used = process.cpuUsage(cpu);
      await send({
        kind: 'done',
        figures,
        ownDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
        cpuSeconds: (used.user + used.system) / 1e6,
      });
      process.exit(0);
    })();
  });
}
