/** The billing reconciliation's vocabulary (API-NOTES §5 Addition, §8.2). Pure data. */

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
  quantity: number;
  unitPrice?: number | null;
  unitCost?: number | null;
  /** `yyyy-MM-ddTHH:mm:ssZ`, or null while the addition runs. */
  cancelledDate: string | null;
}

/** An addition the engine created or adopted before, for one sku of one agreement. */
export interface AdditionLink {
  sku: string;
  additionId: number;
}

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
    }
  | { action: 'cancel'; sku: string; additionId: number; from: AdditionValues }
  | { action: 'conflict'; sku: string; additionIds: number[]; reason: string }
  | { action: 'noop'; sku: string; additionId?: number }
  | { action: 'skip'; sku: string; reason: string };

export interface AgreementPlan {
  /** One operation per managed sku, in sku order. */
  operations: PlannedOperation[];
  /** The calendar day (MSP time zone) creates start and cancels end on, `yyyy-MM-dd`. */
  today: string;
}
