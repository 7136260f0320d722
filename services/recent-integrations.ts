import type { IntegrationRecord } from '../db';

/**
 * How old an integration record a reconcile batch, or an event post, may start from. A pause, new
 * keys or a removal reach the batches that start this long after it at the latest (batches in
 * flight finish on the record they started with, as before); an event posted within this time
 * after a removal is accepted, and its workflow finds the integration gone.
 */
export const INTEGRATION_MAX_AGE_MS = 1_000;

/** Integrations kept at most (a worker reconciles a few at a time; posts come per partner). */
const KEEP = 64;

interface Entry {
  readAt: number;
  record: Promise<IntegrationRecord>;
}

/**
 * The integration record as a worker's reconcile batches, or the API's event posts, read it, kept
 * for at most `maxAgeMs` (by partner when no integration id is given: a partner has one). Posts
 * at 50 a second made one read each, a third of the API's database commands per post. For
 * billing, the batches of one run (eight at a time) share one read instead of making one each. The record
 * carries every billing agreement choice, so on FerretDB each read costs time in proportion to
 * the agreements, and a run made one per batch (200 reads of 1,000 choices in a run over 1,000
 * agreements: most of the database's CPU). Reads in flight are shared; a failed read is not kept.
 */
export class RecentIntegrations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxAgeMs = INTEGRATION_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(
    ref: { partnerId: string; integrationId?: string },
    load: () => Promise<IntegrationRecord>,
  ): Promise<IntegrationRecord> {
    const key = keyOf(ref);
    const now = this.now();
    const found = this.entries.get(key);
    if (found && now - found.readAt < this.maxAgeMs) return await found.record;
    const entry: Entry = { readAt: now, record: load() };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > KEEP) this.entries.delete(this.entries.keys().next().value!);
    try {
      return await entry.record;
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
  }

  /** Drops the kept record (e.g. after a batch failed), so the next batch reads it afresh. */
  forget(ref: { partnerId: string; integrationId?: string }): void {
    this.entries.delete(keyOf(ref));
  }
}

const keyOf = (ref: { partnerId: string; integrationId?: string }) =>
  `${ref.partnerId}\u0000${ref.integrationId ?? '(the partner)'}`;
