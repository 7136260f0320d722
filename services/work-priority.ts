/** Background calls in flight at once while foreground work runs (or ran a moment ago). */
export const BACKGROUND_WHILE_BUSY = 2;
/** Foreground work counts as going on this long after its last step ended. */
export const BUSY_AFTER_MS = 1_000;

/**
 * Interactive work first, in one worker process: a technician waits on a ticket, nobody waits on
 * the minute a billing run takes. While a ticket step runs in this worker (or ran in the last
 * BUSY_AFTER_MS), billing's ConnectWise calls go BACKGROUND_WHILE_BUSY at a time, whatever their
 * integrations' own bounds allow; each of those calls is also the database writes and the
 * Temporal traffic that follow it, so the run's whole footprint shrinks, not only its requests.
 * Billing never stops: it keeps that many calls going, and goes at full speed again once tickets
 * are quiet. The same machine's CPU is what both share (bench:tickets, beside billing).
 */
export class WorkPriority {
  private foregroundRunning = 0;
  private busyUntil = 0;
  private backgroundInFlight = 0;
  private readonly waiting: Array<{ start: () => void }> = [];
  private wake: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly opts: {
      backgroundWhileBusy?: number;
      busyAfterMs?: number;
      now?: () => number;
    } = {},
  ) {}

  /** Whether foreground work is going on now. */
  get busy(): boolean {
    return this.foregroundRunning > 0 || this.now() < this.busyUntil;
  }

  /** Background calls waiting for a turn (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs foreground work (a ticket step): background calls yield while it runs. */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.foregroundRunning++;
    try {
      return await work();
    } finally {
      this.foregroundRunning--;
      this.busyUntil = this.now() + (this.opts.busyAfterMs ?? BUSY_AFTER_MS);
      this.scheduleWake();
    }
  }

  /** Runs a background call (one of billing's ConnectWise calls) when its turn comes. */
  async background<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.mayStart()) this.backgroundInFlight++;
    else await this.turn(signal);
    try {
      return await call();
    } finally {
      this.backgroundInFlight--;
      this.pump();
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private mayStart(): boolean {
    return (
      this.waiting.length === 0 &&
      (!this.busy ||
        this.backgroundInFlight < (this.opts.backgroundWhileBusy ?? BACKGROUND_WHILE_BUSY))
    );
  }

  /** Waits in line; the slot is taken for the caller before it resumes. */
  private turn(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.scheduleWake();
    });
  }

  /** Starts as many waiting calls as may run now. */
  private pump(): void {
    const limit = this.busy
      ? (this.opts.backgroundWhileBusy ?? BACKGROUND_WHILE_BUSY)
      : Number.POSITIVE_INFINITY;
    while (this.waiting.length > 0 && this.backgroundInFlight < limit) {
      this.backgroundInFlight++;
      this.waiting.shift()!.start();
    }
  }

  /** Once the foreground has been quiet for its BUSY_AFTER_MS, the waiting calls all go. */
  private scheduleWake(): void {
    if (this.wake !== undefined || this.waiting.length === 0 || this.foregroundRunning > 0) return;
    this.wake = setTimeout(
      () => {
        this.wake = undefined;
        this.pump();
        this.scheduleWake();
      },
      Math.max(0, this.busyUntil - this.now()) + 1,
    );
    this.wake.unref();
  }
}
