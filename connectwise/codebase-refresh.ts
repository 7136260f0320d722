import { fetchCompanyInfo, STABLE_CODEBASE, type CompanyInfo } from './company-info';
import { ConnectWiseError } from './errors';
import type { FetchLike } from './transport';

/**
 * The codebase a client sends its requests under, and its one retry: a 404 that may come from a
 * stale codebase (ConnectWise moved the tenant to a new version) re-reads CompanyInfo and, when
 * that names another codebase, sends the request again there.
 */

/** At most one CompanyInfo re-read per client per minute, however many 404s arrive. */
export const CODEBASE_REFRESH_INTERVAL_MS = 60_000;
// A ConnectWise body naming a missing record, e.g. `{"code":"NotFound","message":"Ticket 42 not
// found"}`: a record id and "not found", no path. A stale codebase shows as a missing route.
const RECORD_NOT_FOUND = /^(?=.*\bnot found\b)(?=.*\b\d+\b)[^/]*$/i;

export interface CodebaseRefreshOptions {
  origin: string;
  companyId: string;
  fetch: FetchLike;
  /** The CompanyInfo read's timeout (the client's read timeout). */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Called (and awaited) when a 404 led to a new codebase, so the engine can save it. */
  onCodebaseChange?: (codebase: string, info: CompanyInfo) => void | Promise<void>;
}

export class CodebaseTracker {
  #codebase: string;
  #companyInfo: CompanyInfo | undefined;
  #lastRefreshAt: number | undefined;
  readonly #options: CodebaseRefreshOptions;

  constructor(
    codebase: string,
    companyInfo: CompanyInfo | undefined,
    options: CodebaseRefreshOptions,
  ) {
    this.#codebase = codebase;
    this.#companyInfo = companyInfo;
    this.#options = options;
  }

  get codebase(): string {
    return this.#codebase;
  }

  get companyInfo(): CompanyInfo | undefined {
    return this.#companyInfo;
  }

  /**
   * `attempt` under the current codebase; after a 404 worth a CompanyInfo re-read that names
   * another codebase, once more under that one. Otherwise the failure as it was.
   */
  async run<T>(
    attempt: (codebase: string) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const codebase = this.#codebase;
    try {
      return await attempt(codebase);
    } catch (err) {
      if (!(err instanceof ConnectWiseError) || !this.#mayRefreshAfter(err, codebase)) throw err;
      const fresh = await this.#refreshCodebase(codebase, signal);
      if (fresh === undefined) throw err;
      return await attempt(fresh);
    }
  }

  /**
   * Whether a failure is worth a CompanyInfo re-read: a 404 that could be a stale codebase. Not
   * when the stable alias was in use (it survives upgrades), not when ConnectWise named a missing
   * record (the route exists, so the codebase is fine), and not twice within a minute, so a run of
   * lookups for deleted records does not double the request count.
   */
  #mayRefreshAfter(err: ConnectWiseError, used: string): boolean {
    if (err.status !== 404) return false;
    if (used.toLowerCase() === STABLE_CODEBASE) return false;
    if (err.code === 'NotFound' && RECORD_NOT_FOUND.test(err.serverMessage ?? '')) return false;
    const now = Date.now();
    if (
      this.#lastRefreshAt !== undefined &&
      now - this.#lastRefreshAt < CODEBASE_REFRESH_INTERVAL_MS
    ) {
      return false;
    }
    this.#lastRefreshAt = now;
    return true;
  }

  /**
   * After a 404: re-reads CompanyInfo once. Returns the codebase to retry with when it differs
   * from the one the failed request used; undefined (surface the 404) otherwise or when
   * CompanyInfo itself fails.
   */
  async #refreshCodebase(
    used: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const options = this.#options;
    let info: CompanyInfo;
    try {
      info = await fetchCompanyInfo(options.origin, options.companyId, {
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        signal,
        maxResponseBytes: options.maxResponseBytes,
      });
    } catch {
      return undefined;
    }
    if (info.codebase === used) return undefined;
    this.#companyInfo = info;
    if (info.codebase !== this.#codebase) {
      this.#codebase = info.codebase;
      await options.onCodebaseChange?.(info.codebase, info);
    }
    return info.codebase;
  }
}
