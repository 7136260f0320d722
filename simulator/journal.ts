export interface JournalEntry {
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path as sent (with the `/{codebase}apis/3.0` prefix), without the query. */
  path: string;
  /** Spec template (`/service/tickets/{id}`) or the raw path for routes outside the spec. */
  template: string;
  query: Record<string, string>;
  /** 0 when the connection was dropped without a response. */
  status: number;
  durationMs: number;
  /** The fault rule that fired, if any. */
  fault?: string;
  /** Body properties the contract does not have, dropped as CW does (`company/foo`): client typos. */
  ignoredFields?: string[];
}

/** Every API request in arrival order; admin calls are not recorded. */
export class Journal {
  private entries: JournalEntry[] = [];

  add(entry: JournalEntry): void {
    this.entries.push(entry);
  }

  list(): JournalEntry[] {
    return [...this.entries];
  }

  /** Requests per `METHOD /template`, e.g. `{"POST /service/tickets": 2}`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) {
      const key = `${e.method} ${e.template}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }
}
