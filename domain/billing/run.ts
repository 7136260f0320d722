/**
 * The billing run's contract between its workflow (workflows/billing-run.ts) and its activities
 * (activities/billing.ts): ids, counts and reasons only, never usage rows or secrets, so a run
 * over thousands of agreements keeps a small Temporal history. Pure types.
 */
import type { PlannedOperation } from './types';

export type BillingTrigger = 'schedule' | 'manual' | 'config_change';

/** Which run: the SyncRun row and every audit record are keyed by `runKey`. */
export interface BillingRunRef {
  partnerId: string;
  integrationId: string;
  /** `billing-run:<integrationId>:<seq>`: the run's workflow id, unique per run. */
  runKey: string;
  trigger: BillingTrigger;
}

/** A customer's agreement the run will not write to, and why (said in the run's history). */
export interface SkippedAgreement {
  customerId: string;
  agreementId: number | null;
  reason: string;
}

/**
 * What `prepareBillingRun` froze: the snapshot itself (mappings, agreement choices, usage, links,
 * catalog items per sku, the billing day) is stored under `runKey`; the workflow gets its shape.
 */
export interface PreparedRun {
  /** `yyyy-MM-dd` in the MSP's time zone: creates start and cancels end on it. */
  today: string;
  /** Eligible agreements to reconcile, in batches of a few (one activity each). */
  batches: number[][];
  skipped: SkippedAgreement[];
  /**
   * Skus with usage that have no ConnectWise catalog item this run, and why (e.g. a catalog
   * setting ConnectWise requires): their lines are skipped on every agreement, the run is partial.
   */
  skippedSkus?: Array<{ sku: string; reason: string }>;
  /** A run with nothing to do says why (billing off, nothing mapped…). */
  nothingToDo?: string;
}

export type OperationCounts = Partial<Record<PlannedOperation['action'] | 'failed', number>>;

/** One agreement's reconciliation, as `reconcileBillingBatch` reports it. */
export interface AgreementOutcome {
  customerId: string;
  agreementId: number;
  outcome: 'succeeded' | 'skipped' | 'failed' | 'partial';
  reason?: string;
  counts: OperationCounts;
}

/** Progress as the `progress` query answers it, and as the lifecycle's status shows it. */
export interface BillingProgress {
  runKey: string;
  trigger: BillingTrigger;
  phase: 'preparing' | 'reconciling' | 'recording' | 'done';
  agreementsTotal: number;
  agreementsDone: number;
  operationsApplied: number;
}

export interface BillingRunResult {
  runKey: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'skipped';
  summary: string;
  counts: OperationCounts;
  agreements: { total: number; succeeded: number; skipped: number; failed: number };
}
