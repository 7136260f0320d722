import type { RunSnapshot } from '../../db';
import type { BillingRunRef } from '../../domain/billing/run';

/** Runs a worker is reconciling now: a few at a time, so a handful is plenty. */
const KEEP = 16;

/**
 * The run snapshots of the last few runs this worker reconciled, by run key: every batch of a run
 * would otherwise read the same document again. Only what `load` returned is kept (a missing
 * snapshot is never cached).
 */
export class RecentRuns {
  private readonly runs = new Map<string, RunSnapshot>();

  async get(ref: BillingRunRef, load: (ref: BillingRunRef) => Promise<RunSnapshot>) {
    const key = `${ref.partnerId}\u0000${ref.integrationId}\u0000${ref.runKey}`;
    const found = this.runs.get(key);
    if (found) return found;
    const run = await load(ref);
    this.runs.set(key, run);
    if (this.runs.size > KEEP) this.runs.delete(this.runs.keys().next().value!);
    return run;
  }
}
