/** The bench process's own memory (process.memoryUsage()), sampled while a phase runs. */
export type Memory = NodeJS.MemoryUsage;

export const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

/** rss (heap used / heap total / external) */
export const describeMemory = (m: Memory): string =>
  `${mb(m.rss)} (V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, external ${mb(m.external)})`;

/** process.memoryUsage() at its highest RSS, sampled every `everyMs` while `fn` runs. */
export async function withRssPeak<T>(
  fn: () => Promise<T>,
  everyMs = 100,
): Promise<{ value: T; peak: Memory }> {
  let peak = process.memoryUsage();
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  };
  const timer = setInterval(sample, everyMs);
  try {
    const value = await fn();
    sample();
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}
