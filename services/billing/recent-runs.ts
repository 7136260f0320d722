import type { RunSnapshot } from '../../db';
import type { BillingRunRef } from '../../domain/billing/run';

/** Runs a worker is reconciling now: a few at a time, so a handful is plenty. */
const KEEP = 16;

const keyOf = (ref: Pick<BillingRunRef, 'partnerId' | 'integrationId' | 'runKey'>) =>
  `${ref.partnerId}\u0000${ref.integrationId}\u0000${ref.runKey}`;

/**
 * The run snapshots of the last few runs this worker prepared or reconciled, by run key: every
 * batch of a run would otherwise read the same document again. The batches that start together
 * share one read; a run this worker prepared is not read at all. A failed read (a missing
 * snapshot) is never kept.
 */
export class RecentRuns {
  private readonly runs = new Map<string, Promise<RunSnapshot>>();

  async get(ref: BillingRunRef, load: (ref: BillingRunRef) => Promise<RunSnapshot>) {
    const key = keyOf(ref);
    const found = this.runs.get(key);
    if (found) return await found;
    const run = load(ref);
    this.keep(key, run);
    try {
      return await run;
    } catch (err) {
      if (this.runs.get(key) === run) this.runs.delete(key);
      throw err;
    }
  }

  /** The snapshot a prepare of this worker just stored. */
  remember(run: RunSnapshot): void {
    this.keep(keyOf(run.ref), Promise.resolve(run));
  }

  private keep(key: string, run: Promise<RunSnapshot>): void {
    this.runs.delete(key);
    this.runs.set(key, run);
    if (this.runs.size > KEEP) this.runs.delete(this.runs.keys().next().value!);
  }
}
