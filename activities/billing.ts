import { noteHealth } from '../services/health';
import { metrics } from '../observability/metrics';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AgreementSnapshot } from '../db';
import type { AgreementOutcome, BillingRunRef, PreparedRun } from '../domain/billing/run';
import { idleRun, nothingToDoOf, prepareRun } from '../services/billing/prepare';
import {
  IntegrationGates,
  THROTTLE_ISSUE_AT,
  THROTTLE_WINDOW_MS,
  type IntegrationGate,
} from '../services/billing/integration-gate';
import { RecentIntegrations } from '../services/recent-integrations';
import { RecentRuns } from '../services/billing/recent-runs';
import {
  reconcileAgreement,
  skippedOutcome,
  type ReconcileOptions,
} from '../services/billing/reconcile';
import { settleAll } from '../services/billing/apply-context';
import { CREDENTIALS_REJECTED } from '../services/credentials-state';
import { tenantKeyOf, tenantOfRecord } from '../domain/tenant';
import { tenantKeyOfIntegration } from '../services/tenant';
import { FailureType } from './failures';
import type { ActivityDeps } from './deps';
import { liveIntegration, withConnectWise } from './with-connectwise';
import {
  BILLING_BATCH_KINDS,
  BILLING_RUN_KINDS,
  billingBatchFindings,
  billingRunFindings,
  throttled,
} from '../domain/health/issues';

/** The run's snapshot is gone (expired, or the run was never prepared): nothing can be planned. */
export const BILLING_SNAPSHOT_MISSING = 'BillingSnapshotMissing';

/** The integration now talks to another tenant than the run was prepared for: nothing is written. */

export interface ReconcileBatchInput extends Partial<ReconcileOptions> {
  ref: BillingRunRef;
  agreementIds: number[];
}

const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;

export function createBillingActivities(deps: ActivityDeps) {
  const { repos, logger, cw } = deps;
  /**
   * A prepared run checked every chosen agreement, customer and sku: their health issues. A
   * preview creates no catalog item, so it says nothing of one ConnectWise would refuse; a run
   * that could not read the mapped companies says nothing of them; the
   * candidates and conflicts of agreements the run does not reconcile (no longer chosen, skipped)
   * are gone with them.
   */
  const observeHealth = async (ref: BillingRunRef, prepared: PreparedRun) => {
    const by = `billing run ${ref.runKey}`;
    const kinds = BILLING_RUN_KINDS.filter(
      (k) =>
        !(ref.preview && k === 'catalog_item_unusable') &&
        !(prepared.companiesUnchecked !== undefined && k === 'company_deleted'),
    );
    await noteHealth(repos, ref, { kinds, by }, billingRunFindings(prepared), logger);
    const reconciled = prepared.batches
      .flat()
      .map((id) => ({ type: 'agreement' as const, id: String(id) }));
    await noteHealth(
      repos,
      ref,
      { kinds: BILLING_BATCH_KINDS, except: reconciled, by },
      [],
      logger,
    );
  };
  /** The prepared run's skips of chosen agreements, for coverage (not a preview's). */
  const recordSkippedSeats = async (ref: BillingRunRef, tenantKey: string, p: PreparedRun) => {
    if (!ref.preview)
      await repos.billingSeats.recordSkipped({ ...ref, tenantKey }, ref.runKey, p.skipped);
  };
  // Shared by every billing activity of this worker: one integration's calls are bounded together,
  // and all of them yield to the worker's ticket steps.
  const gates = new IntegrationGates(deps.priority);

  const runs = new RecentRuns();
  // The integration as the batches of a run read it: one read a second, not one a batch.
  const integrations = new RecentIntegrations();
  const snapshotOf = async (ref: BillingRunRef) => {
    const run = await repos.billingSnapshots.getRun(ref);
    if (!run) {
      throw ApplicationFailure.nonRetryable(
        `billing run ${ref.runKey} has no snapshot (never prepared, or expired)`,
        BILLING_SNAPSHOT_MISSING,
      );
    }
    return run;
  };
  // When this worker last pruned each integration's records.
  const prunedAt = new Map<string, number>();

  /**
   * Old snapshots and audit records go, where the database has no TTL index (FerretDB): at most
   * once a day per integration and worker, since each prune reads the whole collections there.
   */
  const prune = async ({ partnerId, integrationId }: BillingRunRef) => {
    const now = Date.now();
    if (now - (prunedAt.get(integrationId) ?? 0) < PRUNE_EVERY_MS) return;
    prunedAt.set(integrationId, now);
    try {
      await repos.billingSnapshots.prune(partnerId, integrationId);
      await repos.billingChanges.prune(partnerId, integrationId);
      await repos.billingResults.prune(partnerId, integrationId);
    } catch (err) {
      logger.warn(
        { integrationId, err },
        'billing records could not be pruned; this worker tries again in a day',
      );
    }
  };

  return {
    /**
     * Freezes a billing run (services/billing/prepare.ts) under its run key. Idempotent: a retry
     * finds the stored snapshot and answers the same.
     */
    async prepareBillingRun(ref: BillingRunRef): Promise<PreparedRun> {
      const integration = await liveIntegration(repos, ref);
      const stored = await repos.billingSnapshots.getRun(ref);
      // A retry after the snapshot was saved still records the skips (idempotent).
      if (stored) {
        await repos.billingResults.recordSkipped(ref, stored.prepared.skipped);
        await recordSkippedSeats(ref, stored.tenantKey, stored.prepared);
        await observeHealth(ref, stored.prepared);
        return stored.prepared;
      }
      const idle = nothingToDoOf(integration);
      if (idle) return idleRun(integration, idle, new Date());
      await prune(ref);
      const run = await withConnectWise(deps, integration, (client, signal) =>
        prepareRun(repos, client, integration, ref, { signal }),
      );
      // This worker's batches of the run start from it without reading it back.
      runs.remember(run);
      const { prepared } = run;
      await repos.billingResults.recordSkipped(ref, prepared.skipped);
      await recordSkippedSeats(ref, run.tenantKey, prepared);
      await observeHealth(ref, prepared);
      logger.info(
        {
          integrationId: ref.integrationId,
          runKey: ref.runKey,
          agreements: prepared.batches.flat().length,
          skipped: prepared.skipped.length,
          skippedSkus: prepared.skippedSkus?.length ?? 0,
        },
        'billing run prepared',
      );
      return prepared;
    },

    /**
     * Reconciles a few agreements of a prepared run, at most `concurrency` ConnectWise calls in
     * flight. Every agreement is listed and planned afresh, so a retry never doubles a write. A
     * transient failure of one agreement is thrown once the others are done.
     */
    async reconcileBillingBatch(input: ReconcileBatchInput): Promise<AgreementOutcome[]> {
      try {
        return await reconcileBatch(input);
      } catch (err) {
        // Whatever failed (keys refused, the integration gone, an outage), the next batch and
        // any retry start from the record as stored now.
        integrations.forget(input.ref);
        throw err;
      }
    },
  };

  /**
   * Repeated 429s (THROTTLE_ISSUE_AT in THROTTLE_WINDOW_MS, as this worker's gate saw them) are a
   * health issue; none in the window resolves it. Written only when that changes.
   */
  async function reportThrottling(ref: BillingRunRef, gate: IntegrationGate): Promise<void> {
    const { count, pausedMs } = gate.throttling();
    const now = count >= THROTTLE_ISSUE_AT ? 'throttled' : count === 0 ? 'clear' : gate.reported;
    if (now === gate.reported || now === 'unknown') return;
    await noteHealth(
      repos,
      ref,
      { kinds: ['throttled'], by: `billing run ${ref.runKey}` },
      now === 'throttled' ? [throttled(count, THROTTLE_WINDOW_MS / 60_000, pausedMs)] : [],
      logger,
    );
    gate.reported = now;
  }

  async function reconcileBatch({
    ref,
    agreementIds,
    mode = 'apply',
    approvedKey,
  }: ReconcileBatchInput): Promise<AgreementOutcome[]> {
    // A first attempt may start from a record read up to a second ago by another batch of this
    // worker (INTEGRATION_MAX_AGE_MS); a retry, and an applied preview, read it now. The ledger,
    // approvals and refusals are read as saved now then too.
    const retried = Context.current().info.attempt > 1 || mode === 'approved';
    const integration = retried
      ? await liveIntegration(repos, ref)
      : await integrations.get(ref, () => liveIntegration(repos, ref));
    if (integration.state === 'credentials_invalid') {
      throw ApplicationFailure.nonRetryable(CREDENTIALS_REJECTED, FailureType.credentialsInvalid);
    }
    // A run's snapshot does not change once prepared (but for the catalog ids an approval
    // fills in, so an approved pass reads it again): each batch need not read it.
    const run = await runs.get(ref, snapshotOf);
    // The guard, read now (not the record, which may be a second old): a reset saved since the
    // run was prepared, or being saved, stops every write.
    const guard = await repos.integrations.tenantGuard(ref.integrationId);
    const guarded =
      guard &&
      (guard.changing ? 'changing' : tenantKeyOf(tenantOfRecord(guard), guard.tenantEpoch));
    if (
      tenantKeyOfIntegration(integration) !== run.tenantKey ||
      (guarded !== undefined && guarded !== run.tenantKey)
    ) {
      throw ApplicationFailure.nonRetryable(
        'the integration was moved to another ConnectWise tenant since this run was prepared: nothing more is written',
        FailureType.tenantChanged,
      );
    }
    const stored = await repos.billingSnapshots.getAgreements(
      ref,
      agreementIds,
      run.prepared.batches,
    );
    const agreements = agreementIds.map((id) => ({ id, snapshot: stored.get(id) }));
    const notReady = (a: { id: number; snapshot?: AgreementSnapshot }, reason: string) =>
      skippedOutcome({ customerId: a.snapshot?.customerId ?? '', agreementId: a.id }, reason);
    if (integration.state !== 'active') {
      return agreements.map((a) => notReady(a, `the integration is ${integration.state}`));
    }
    const gate = gates.for(ref.integrationId, run.policy.concurrency);
    // Reported however the batch ends: a batch that ran out of 429 retries most of all.
    const outcomes = await withConnectWise(deps, integration, (client, signal) => {
      const limit = <T>(call: () => Promise<T>) => gate.run(call, signal);
      const ctx = {
        repos,
        client,
        run,
        limit,
        signal,
        retried,
        createTimeoutMs: cw.CW_WRITE_TIMEOUT_MS,
      };
      return settleAll(
        agreements.map((a) =>
          a.snapshot
            ? reconcileAgreement(ctx, a.snapshot, { mode, approvedKey })
            : Promise.resolve(notReady(a, `agreement ${a.id} is not in this run's snapshot`)),
        ),
      );
    }).finally(() => reportThrottling(ref, gate));
    logger.info(
      { integrationId: ref.integrationId, runKey: ref.runKey, agreements: agreementIds.length },
      'billing batch reconciled',
    );
    await repos.billingResults.record(ref, outcomes);
    // What each agreement bills now, for coverage (a preview writes nothing of it).
    if (mode !== 'plan')
      await repos.billingSeats.record({ ...ref, tenantKey: run.tenantKey }, ref.runKey, outcomes);
    for (const o of outcomes)
      for (const action of ['create', 'update', 'adopt', 'cancel', 'release'] as const)
        if (o.counts[action]) metrics.additionsWritten.inc({ action }, o.counts[action]);
    if (mode !== 'plan') {
      const { findings, objects } = billingBatchFindings(outcomes);
      await noteHealth(
        repos,
        ref,
        { kinds: BILLING_BATCH_KINDS, objects, by: `billing run ${ref.runKey}` },
        findings,
        logger,
      );
    }
    // The seats billed stay with the stored results: the workflow's history needs only outcomes.
    return outcomes.map(({ billed: _billed, ...outcome }) => outcome);
  }
}
