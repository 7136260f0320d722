import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One whole local stack at a time across the run's test workers. A stack is five processes (its
 * own Temporal dev server, FerretDB, the simulator, a worker and the API) and the browser tests
 * add Chromium: two of them at once with the other worker's tests overloaded a 2-core machine
 * until a stack's Temporal stopped answering (a failed run). Files that start one take the slot
 * for their whole life; other files' tests go on meanwhile. The slot is a directory (mkdir is
 * atomic) naming its holder's pid, so a holder that died without giving it back frees it.
 */
const SLOT = join(
  tmpdir(),
  `cw-engine-stack-slot-${process.env.TEST_SHARED_SERVERS_URL?.replace(/\W/g, '') ?? 'local'}`,
);

function holderAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(SLOT, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Which test file holds the slot, for the message of a waiter that gives up. */
function holderName(): string {
  try {
    return readFileSync(join(SLOT, 'holder'), 'utf8');
  } catch {
    return 'unknown';
  }
}

function ownName(): string {
  try {
    return expect.getState().testPath ?? `pid ${process.pid}`;
  } catch {
    return `pid ${process.pid}`;
  }
}

/**
 * How long a file may wait for the slot: jest runs two workers, so at most one other file holds it,
 * for its whole life. The longest holder, the short billing chaos suite, takes ~5 min on this
 * machine and more on a loaded CI runner (a 5-minute wait once failed CI's seed-flow test), so the
 * bound is three times that: a live holder is waited for, a stuck one still ends the wait. Files
 * add it to their beforeAll timeout.
 */
export const STACK_SLOT_WAIT_MS = 900_000;

/** Waits for the slot, takes it, and returns how to give it back. */
export async function takeStackSlot(timeoutMs = STACK_SLOT_WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(SLOT);
      writeFileSync(join(SLOT, 'pid'), String(process.pid));
      writeFileSync(join(SLOT, 'holder'), `${ownName()} since ${new Date().toISOString()}`);
      return () => rmSync(SLOT, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A holder that died (or has not written its pid yet: give it a moment) frees the slot.
    await new Promise((r) => setTimeout(r, 250));
    if (!holderAlive()) {
      await new Promise((r) => setTimeout(r, 250));
      if (!holderAlive()) rmSync(SLOT, { recursive: true, force: true });
    }
    if (Date.now() > deadline)
      throw new Error(`no local-stack slot within ${timeoutMs} ms (held by ${holderName()})`);
  }
}
