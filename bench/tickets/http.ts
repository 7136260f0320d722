/**
 * How the ticket benchmark posts to the API process: JSON with the partner token; a 429 is
 * waited out (its Retry-After) and sent again, as a portal would. Every HTTP answer's own time is
 * kept, so "answered in ≤ 500 ms" counts the 429s too.
 */
export interface Answered {
  /** The last answer's status; 0 when none came. */
  status: number;
  body: unknown;
  /** Each HTTP answer's time, in order. */
  answerMs: number[];
  /** Answers that were 429. */
  throttled: number;
  /** No answer: the network error. */
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function postPatiently(url: string, token: string, body: unknown): Promise<Answered> {
  const answerMs: number[] = [];
  let throttled = 0;
  try {
    for (;;) {
      const asked = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      answerMs.push(performance.now() - asked);
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (res.status !== 429) return { status: res.status, body: parsed, answerMs, throttled };
      throttled += 1;
      await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? 1)) * 1000);
    }
  } catch (err) {
    return {
      status: 0,
      body: undefined,
      answerMs,
      throttled,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}
