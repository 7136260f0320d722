import pLimit from 'p-limit';
import { isConnectWiseError } from '../../connectwise';
import type { WorkPriority } from '../work-priority';

/** A throttled call is sent again at most this many times before its failure is thrown. */
export const THROTTLED_ATTEMPTS = 4;
/** The wait after a 429 that named none. */
const DEFAULT_PAUSE_MS = 1_000;
/** 429s are counted over this window… */
export const THROTTLE_WINDOW_MS = 15 * 60_000;
/** …and this many in it is repeated throttling (a health issue). */
export const THROTTLE_ISSUE_AT = 5;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/**
 * Every ConnectWise call one integration's billing makes in this worker, whatever activity makes
 * it: at most `concurrency` in flight, and after a 429 none until its `Retry-After` has passed
 * (the throttled call is then sent again: ConnectWise's edge refused it, it did nothing). Each
 * call is background work of the worker's `WorkPriority`: it yields to ticket steps.
 */
export class IntegrationGate {
  private readonly limit: ReturnType<typeof pLimit>;
  private resumeAt = 0;
  /** When each 429 of the window came, and the pauses they asked for. */
  private readonly throttles: Array<{ at: number; pauseMs: number }> = [];
  /** What was last reported as a health issue: unknown until this gate's first report. */
  reported: 'unknown' | 'throttled' | 'clear' = 'unknown';

  constructor(
    readonly concurrency: number,
    private readonly priority?: WorkPriority,
    private readonly now: () => number = Date.now,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** The 429s of the last THROTTLE_WINDOW_MS. */
  throttling(): Throttling {
    const since = this.now() - THROTTLE_WINDOW_MS;
    while (this.throttles.length > 0 && this.throttles[0]!.at < since) this.throttles.shift();
    return {
      count: this.throttles.length,
      pausedMs: this.throttles.reduce((n, t) => n + t.pauseMs, 0),
    };
  }

  /** Until when calls wait (epoch ms); 0 when not paused. */
  get pausedUntil(): number {
    return this.resumeAt > this.now() ? this.resumeAt : 0;
  }

  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limit(async () => {
      for (let attempt = 1; ; attempt++) {
        const wait = this.resumeAt - this.now();
        if (wait > 0) await sleep(wait, signal);
        try {
          return await (this.priority ? this.priority.background(call, signal) : call());
        } catch (err) {
          if (!isConnectWiseError(err) || err.kind !== 'throttled') throw err;
          const pauseMs = err.retryAfterMs ?? DEFAULT_PAUSE_MS;
          this.throttles.push({ at: this.now(), pauseMs });
          if (attempt >= THROTTLED_ATTEMPTS) throw err;
          this.resumeAt = Math.max(this.resumeAt, this.now() + pauseMs);
        }
      }
    });
  }
}

export interface Throttling {
  /** 429s in the last THROTTLE_WINDOW_MS. */
  count: number;
  /** The pauses they asked for, in all. */
  pausedMs: number;
}

/** One gate per integration (and concurrency setting) for the life of the worker. */
export class IntegrationGates {
  private readonly gates = new Map<string, IntegrationGate>();

  constructor(private readonly priority?: WorkPriority) {}

  for(integrationId: string, concurrency: number): IntegrationGate {
    const found = this.gates.get(integrationId);
    if (found?.concurrency === concurrency) return found;
    const gate = new IntegrationGate(concurrency, this.priority);
    this.gates.set(integrationId, gate);
    return gate;
  }
}
