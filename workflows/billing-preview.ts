import type {
  AgreementOutcome,
  BillingRunRef,
  PreparedRun,
  SkippedAgreement,
} from '../domain/billing/run';
import { billingActivities, reconcilePass, regroup } from './billing-run';
import { GONE, runFailure } from './run-failure';

/** What a preview planned; each agreement's plan itself is kept under the preview's key. */
export interface BillingPreviewResult {
  previewKey: string;
  today: string;
  planned: Array<Pick<AgreementOutcome, 'customerId' | 'agreementId' | 'outcome' | 'reason'>>;
  skipped: SkippedAgreement[];
  /** Agreements ConnectWise did not answer for, past retries. */
  failed: number[];
  skippedSkus: NonNullable<PreparedRun['skippedSkus']>;
  catalogToCreate: string[];
  /** Why nothing could be planned (billing off, keys rejected…). */
  nothingToDo?: string;
}

/** Where a preview's activities run. */
export interface BillingPreviewOptions {
  /** The interactive task queue: a person waits, so batches of scheduled runs never delay it. */
  activityTaskQueue?: string;
}

/**
 * A billing preview (dry run): the same snapshot, tenant checks and plans as a run, written
 * nowhere in ConnectWise (not even catalog items). Started by the API for a person who waits.
 */
export async function billingPreviewWorkflow(
  ref: BillingRunRef,
  options: BillingPreviewOptions = {},
): Promise<BillingPreviewResult> {
  const activities = billingActivities(options.activityTaskQueue);
  const result: BillingPreviewResult = {
    previewKey: ref.runKey,
    today: '',
    planned: [],
    skipped: [],
    failed: [],
    skippedSkus: [],
    catalogToCreate: [],
  };
  const failed = (err: unknown) => {
    const failure = runFailure(err);
    return {
      ...result,
      nothingToDo: failure === GONE ? 'the integration no longer exists' : failure.summary,
    };
  };
  let prepared: PreparedRun;
  try {
    prepared = await activities.prepareBillingRun({ ...ref, preview: true });
  } catch (err) {
    return failed(err);
  }
  Object.assign(result, {
    today: prepared.today,
    skipped: prepared.skipped,
    skippedSkus: prepared.skippedSkus ?? [],
    catalogToCreate: prepared.catalogToCreate ?? [],
  });
  if (prepared.nothingToDo) return { ...result, nothingToDo: prepared.nothingToDo };
  const ended = await reconcilePass({
    ref: { ...ref, preview: true },
    mode: 'plan',
    batches: regroup(prepared.batches),
    onOutcomes: (outcomes) => {
      for (const { customerId, agreementId, outcome, reason } of outcomes)
        result.planned.push({ customerId, agreementId, outcome, ...(reason ? { reason } : {}) });
    },
    onBatchFailed: (batch) => result.failed.push(...batch),
    onProgress: () => Promise.resolve(),
    activities,
  });
  return ended === undefined ? result : failed(ended);
}
