/**
 * An open-loop load: GET requests sent at evenly spaced moments whatever the answers do, each
 * latency measured from the moment it was due (so a slow server cannot slow the load down and
 * hide its own delay: no coordinated omission), as a portal's pollers would send them.
 *
 * Not autocannon: its fixed rate sends each second's quota back to back at the start of the second
 * (a burst of the whole rate, then silence), and corrects latencies with a 1 ms expected interval
 * (`Math.ceil(1 / rate)`), so its percentiles at a fixed rate measure neither a steady load nor
 * the server. Node's fetch keeps connections alive and opens as many as the load needs.
 */
export interface OpenLoopFigures {
  /** Latency of every request, in ms from the moment it was due, sorted. */
  latencies: number[];
  /** Requests not answered 200 (or not answered within the timeout). */
  errors: number;
  /** The slowest requests: when each was due (ms after the first) and its latency. */
  slowest: Array<{ dueMs: number; ms: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openLoop(options: {
  url: string;
  headers: Record<string, string>;
  ratePerSecond: number;
  seconds: number;
  /** Where in the first interval the first request is due (0–1): spreads several loads. */
  phase?: number;
  timeoutMs?: number;
}): Promise<OpenLoopFigures> {
  const interval = 1000 / options.ratePerSecond;
  const count = Math.floor(options.ratePerSecond * options.seconds);
  const start = performance.now() + (options.phase ?? 0) * interval;
  const timed: Array<{ dueMs: number; ms: number }> = [];
  let errors = 0;
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sent.push(
      fetch(options.url, {
        headers: options.headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) errors += 1;
        })
        .catch(() => void (errors += 1))
        .finally(() => timed.push({ dueMs: due - start, ms: performance.now() - due })),
    );
  }
  await Promise.all(sent);
  timed.sort((a, b) => a.ms - b.ms);
  return { latencies: timed.map((t) => t.ms), errors, slowest: timed.slice(-5).reverse() };
}
