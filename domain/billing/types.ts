/** The billing reconciliation's vocabulary (docs/connectwise.md §5 Addition, §8.2). Pure data. */

/** What a customer should be billed for one vendor sku on its agreement. */
export interface WantedLine {
  sku: string;
  /** The ConnectWise catalog item the sku is billed as. */
  productId: number;
  quantity: number;
  unitPrice?: number;
  unitCost?: number;
}

/** An agreement addition as ConnectWise holds it. */
export interface ExistingAddition {
  id: number;
  productId: number;
  /** The catalog item's identifier and the addition's description: a hand-made one is matched by them. */
  productIdentifier?: string | null;
  description?: string | null;
  /** The engine's mark (ledger.ts additionMark), on additions the engine created. */
  serialNumber?: string | null;
  quantity: number;
  unitPrice?: number | null;
  unitCost?: number | null;
  /** `yyyy-MM-ddTHH:mm:ssZ`, or null while the addition runs. */
  cancelledDate: string | null;
}

/**
 * An addition in the engine's ledger (ledger.ts): created or adopted by the engine for one sku of
 * one customer on one agreement, and the engine's until released. `left`: released under the
 * zero-usage policy `leave` (open, listed in every run); `kept_separate`: an addition the engine
 * does not own that the partner said to bill beside ours (never asked about again).
 */
export interface LedgerEntry {
  agreementId: number;
  additionId: number;
  sku: string;
  /** The catalog item the addition bills. */
  productId: number;
  customerId: string;
  state: 'active' | 'left' | 'kept_separate';
}

/** A create the engine sent and has not seen answered: ConnectWise may still commit it. */
export interface PendingCreate {
  agreementId: number;
  sku: string;
  /** When the POST was sent (ISO); its own timeout bounds when it can still land. */
  sentAt: string;
}

/** The partner's answer about an addition the engine does not own that looks like its product. */
export type CandidateDecision = 'adopt' | 'keep_separate' | 'cancel';

/** What to do with a managed sku whose usage is zero (or gone). */
export type ZeroUsagePolicy = 'zero' | 'cancel' | 'leave';

export interface PlanPolicy {
  zeroUsage: ZeroUsagePolicy;
  /** Also keep unitPrice/unitCost equal to the wanted ones. */
  syncPrices: boolean;
}

/** The fields of an addition the engine keeps; price and cost only with price sync on. */
export interface AdditionValues {
  quantity: number;
  unitPrice?: number;
  unitCost?: number;
}

/** What releasing a ledger addition does: the zero-usage policy's action. */
export type ReleaseEffect = 'zero' | 'cancel' | 'leave';

export type PlannedOperation =
  | { action: 'create'; sku: string; productId: number; to: AdditionValues }
  | { action: 'update'; sku: string; additionId: number; from: AdditionValues; to: AdditionValues }
  | {
      action: 'adopt';
      sku: string;
      additionId: number;
      from: AdditionValues;
      /** Absent when the adopted addition already says what is wanted. */
      to?: AdditionValues;
      /** The engine's own addition was cancelled for a later day: the cancel is taken back. */
      uncancel?: true;
      /** Found by the engine's mark: its own create, whose answer was lost. */
      byMark?: true;
    }
  | {
      action: 'cancel';
      sku: string;
      additionId: number;
      from: AdditionValues;
      /** Why, when it is not the zero-usage policy (a duplicate, the partner's decision). */
      reason?: string;
    }
  | {
      /** A ledger addition no longer backed by a (customer, chosen agreement, sku → item). */
      action: 'release';
      sku: string;
      additionId: number;
      customerId: string;
      effect: ReleaseEffect;
      from: AdditionValues;
      /** `zero`: quantity 0 (absent when already 0); `cancel`/`leave`: absent. */
      to?: AdditionValues;
      /**
       * `zero`: the engine's mark is taken off, so the addition, left open at 0, is never taken
       * for a create of the engine's whose answer was lost.
       */
      unmark?: true;
      reason: string;
    }
  | {
      /** A ledger addition ConnectWise no longer bills (deleted or cancelled there): dropped. */
      action: 'forget';
      sku: string;
      additionId: number;
      reason: string;
    }
  | {
      /** Released under `leave`: open, no longer kept by the engine; listed in every run. */
      action: 'left';
      sku: string;
      additionId: number;
      reason: string;
    }
  | {
      /** An addition the engine does not own that looks like this product: the partner decides. */
      action: 'candidate';
      sku: string;
      additionId: number;
      productId: number;
      productIdentifier: string | null;
      description: string | null;
      quantity: number;
      unitPrice: number | null;
      why: string;
    }
  | { action: 'conflict'; sku: string; additionIds: number[]; reason: string }
  | { action: 'noop'; sku: string; additionId?: number }
  | { action: 'skip'; sku: string; reason: string };

export interface AgreementPlan {
  /** Releases and forgets first, then one operation (or a few) per managed sku, in sku order. */
  operations: PlannedOperation[];
  /** The calendar day (MSP time zone) the plan was made on, `yyyy-MM-dd`. */
  today: string;
}

/** A foreign addition that looks like the product being billed, and why (candidates.ts). */
export interface CandidateMatch {
  additionId: number;
  why: string;
}

export interface PlanInput {
  /** One line per sku with usage for the customer billed on this agreement (none: no customer). */
  wanted: WantedLine[];
  /** Every sku the engine manages, with its catalog item: additions of other products are not ours. */
  managed: ReadonlyMap<string, number>;
  existing: ExistingAddition[];
  /** The ledger's entries on this agreement. */
  ledger: readonly LedgerEntry[];
  /** Ledger additions on this agreement no longer backed, and why (ledger.ts releaseReason). */
  releases: ReadonlyMap<number, string>;
  /** The partner's decisions on foreign additions that this plan may carry out (approved). */
  decisions: ReadonlyMap<number, CandidateDecision>;
  /** The engine's mark for a sku on this agreement (ledger.ts additionMark). */
  mark: (sku: string) => string;
  /**
   * Skus with a create sent whose answer was not seen (PendingCreate): only then is an addition
   * with the engine's mark, not in the ledger, the engine's own (a released one keeps its mark).
   */
  pending: ReadonlySet<string>;
  /** Foreign additions that look like the sku's product (candidates.ts findCandidates). */
  candidates: (sku: string, productId: number, foreign: ExistingAddition[]) => CandidateMatch[];
  policy: PlanPolicy;
  today: string;
}
