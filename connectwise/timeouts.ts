/**
 * How long the client waits for ConnectWise: the read and write timeouts, and how long a write
 * whose answer was never seen may still land.
 */

export interface ConnectWiseTimeouts {
  /** GET requests. */
  readMs: number;
  /** POST, PATCH and DELETE. Ticket POSTs have taken ~5 minutes (docs/connectwise.md §3). */
  writeMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectWiseTimeouts = { readMs: 30_000, writeMs: 300_000 };

/** Beyond a write's own timeout, for clocks and the commit itself. */
const COMMIT_MARGIN_MS = 5_000;

/**
 * Until when a write sent at `sentAt` whose answer was never seen (a timeout, a cut connection)
 * may still be committed by ConnectWise: a create is not sent again before then, or it may land
 * twice. Billing (services/billing/reconcile.ts) and tickets (services/tickets/open.ts) wait it out.
 */
export const writeInDoubtUntil = (sentAt: Date | string, writeTimeoutMs: number): number =>
  new Date(sentAt).getTime() + writeTimeoutMs + COMMIT_MARGIN_MS;
