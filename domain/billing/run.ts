/**
 * The billing run's contract between its workflow (workflows/billing-run.ts) and its activities
 * (activities/billing.ts): ids, counts and reasons only, never usage rows or secrets, so a run
 * over thousands of agreements keeps a small Temporal history. Pure types.
 */
import type { ApplyMode } from './settings';
import type { PlannedOperation } from './types';

export type BillingTrigger = 'schedule' | 'manual' | 'config_change';

/** Which run: the SyncRun row and every audit record are keyed by `runKey`. */
export interface BillingRunRef {
  partnerId: string;
  integrationId: string;
  /** `billing-run:<integrationId>:<seq>`: the run's workflow id, unique per run. */
  runKey: string;
  trigger: BillingTrigger;
  /**
   * A run applying a plan a partner previewed (`POST …/billing/apply`): the preview's key. It
   * writes only what that preview showed, without the safety valve (the partner saw it all).
   */
  approvedKey?: string;
  /** A preview: plans only, and creates nothing, not even catalog items. */
  preview?: boolean;
}

/** A customer's agreement the run will not write to, and why (said in the run's history). */
export interface SkippedAgreement {
  customerId: string;
  agreementId: number | null;
  reason: string;
  /**
   * A problem to show as a health issue (domain/health/issues.ts): the agreement ConnectWise has
   * is no longer eligible, or the customer's usage is missing or stale. Absent for a choice the
   * partner made (unmapped, excluded).
   */
  problem?: 'agreement_ineligible' | 'usage_stale';
}

/**
 * What `prepareBillingRun` froze: the snapshot itself (mappings, agreement choices, usage, links,
 * catalog items per sku, the billing day) is stored under `runKey`; the workflow gets its shape.
 */
export interface PreparedRun {
  /** `yyyy-MM-dd` in the MSP's time zone: creates start and cancels end on it. */
  today: string;
  /** `approve`: every agreement's changes are held as pending approvals until a person decides. */
  apply?: ApplyMode;
  /** Eligible agreements to reconcile, in batches of a few (one activity each). */
  batches: number[][];
  skipped: SkippedAgreement[];
  /**
   * Skus with usage that have no ConnectWise catalog item this run, and why (e.g. a catalog
   * setting ConnectWise requires): their lines are skipped on every agreement, the run is partial.
   */
  skippedSkus?: Array<{ sku: string; reason: string }>;
  /** Mapped companies ConnectWise names differently now (a health issue each). */
  renamedCompanies?: Array<{ companyId: number; was: string; now: string }>;
  /** Mapped companies ConnectWise no longer has, or has deleted (a health issue each). */
  deletedCompanies?: Array<{ companyId: number; name: string; customers: string[] }>;
  /** Why the mapped companies could not be read this run (company issues stay as they are). */
  companiesUnchecked?: string;
  /** Pending approvals older than the policy's approvalOverdueHours (a health issue each). */
  overdueApprovals?: Array<{ customerId: string; agreementId: number; since: string }>;
  /** A preview's skus whose catalog item the run would create first. */
  catalogToCreate?: string[];
  /** A run with nothing to do says why (billing off, nothing mapped…). */
  nothingToDo?: string;
}

export type OperationCounts = Partial<Record<PlannedOperation['action'] | 'failed', number>>;

/**
 * How a batch treats its agreements: `apply` plans and writes (an agreement that needs a person
 * is held as a pending approval); `plan` plans and keeps the plan, writing nothing (preview);
 * `approved` writes only what the preview kept under `approvedKey` showed.
 */
export type ReconcileMode = 'apply' | 'plan' | 'approved';

/** One agreement's reconciliation, as `reconcileBillingBatch` reports it. */
export interface AgreementOutcome {
  customerId: string;
  agreementId: number;
  /** `held`: a pending approval holds its plan; `planned`: planned and kept (mode `plan`). */
  outcome: 'succeeded' | 'skipped' | 'failed' | 'partial' | 'held' | 'planned';
  reason?: string;
  /** What was done (nothing, for `held` and `planned`). */
  counts: OperationCounts;
  /** What the kept plan would do, for `held` and `planned`. */
  planned?: OperationCounts;
  /**
   * The seats the agreement bills through the engine's ledger after the run, by customer and
   * sku (coverage.ts billedSeats); absent when the agreement was not read. Stored for coverage,
   * not returned to the workflow.
   */
  billed?: SeatLine[];
}

/** Seats billed for one customer and sku on an agreement (billing coverage). */
export interface SeatLine {
  customerId: string;
  sku: string;
  seats: number;
}

export const BILLING_PHASES = ['preparing', 'reconciling', 'recording', 'done'] as const;
export type BillingPhase = (typeof BILLING_PHASES)[number];

/** Progress as the `progress` query answers it, and as the lifecycle's status shows it. */
export interface BillingProgress {
  runKey: string;
  trigger: BillingTrigger;
  phase: BillingPhase;
  agreementsTotal: number;
  agreementsDone: number;
  operationsApplied: number;
}

export interface BillingRunResult {
  runKey: string;
  /** `cancelled`: the tenant changed (or a reset cancelled the run): nothing more was written. */
  outcome: 'succeeded' | 'partial' | 'failed' | 'skipped' | 'cancelled';
  summary: string;
  counts: OperationCounts;
  /** `held`: planned, waiting as a pending approval (they block no other agreement). */
  agreements: { total: number; succeeded: number; skipped: number; failed: number; held: number };
}

/** Agreements per reconcile activity, at least (runs over more than 1,000 take more each). */
export const AGREEMENTS_PER_BATCH = 5;

/**
 * At most this many reconcile activities per pass, whatever the number of agreements, so a run
 * over 5,000 agreements stays far under Temporal's 10,000-event warning.
 */
export const MAX_BATCHES = 200;

/** How many agreements each batch of a run over `count` agreements holds. */
export const batchSizeFor = (count: number): number =>
  Math.max(AGREEMENTS_PER_BATCH, Math.ceil(count / MAX_BATCHES));
