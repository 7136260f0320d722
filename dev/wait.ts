import { describeExit, type ManagedProcess } from './managed';

export interface WaitOptions {
  /** Names the thing waited for in error messages, e.g. "FerretDB on 127.0.0.1:27017". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Give up at once when this process exits, and quote its last output lines. */
  process?: ManagedProcess;
}

/** A part of the stack failed; the message ends with its last output lines, for test logs. */
export class PartError extends Error {
  constructor(
    /** One line: what happened. */
    readonly summary: string,
    readonly part: string,
    readonly recentOutput: string[] = [],
  ) {
    const tail = recentOutput.slice(-15).map((l) => `    ${l}`);
    super(tail.length ? `${summary}\n  last output of ${part}:\n${tail.join('\n')}` : summary);
    this.name = 'PartError';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Polls `probe` until it returns a value other than undefined/false. A throwing probe counts as
 * "not yet"; its last error goes into the timeout message.
 */
export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const { what, timeoutMs = 60_000, intervalMs = 250, process: child } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const info = child?.exitInfo();
    if (child && info) {
      throw new PartError(
        `${child.name} ${describeExit(info)} before ${what} was ready`,
        child.name,
        child.recentOutput(),
      );
    }
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      lastError = errorText(err);
    }
    if (Date.now() >= deadline) {
      throw new PartError(
        `${what} was not ready after ${Math.round(timeoutMs / 1000)}s${lastError ? ` (last error: ${lastError})` : ''}`,
        child?.name ?? what,
        child?.recentOutput() ?? [],
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
