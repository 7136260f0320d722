import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { IntegrationRecord, Repositories } from '../db';
import { planView, type PlanView } from '../domain/billing/preview';
import type { LifecycleClient } from '../temporal/lifecycle-client';
import { callTemporal } from '../temporal/unavailable';
import type { billingPreviewWorkflow } from '../workflows';
import { billingPreviewWorkflowId } from '../workflows/ids';
import type { SynchronizeAnswer } from '../workflows/messages';
import { IntegrationIdKey, PartnerIdKey, SyncKindKey } from '../workflows/search-attributes';
import { notFound, ServiceError } from './errors';

/** A preview plans every agreement (one read each): minutes at most, even for large partners. */
const PREVIEW_TIMEOUT_MS = 5 * 60_000;

export interface BillingPlanDeps {
  temporal: Client;
  repos: Pick<Repositories, 'integrations' | 'billingSnapshots'>;
  lifecycle: Pick<LifecycleClient, 'synchronize'>;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_INTERACTIVE_TASK_QUEUE'>;
}

const notActive = (integration: IntegrationRecord) =>
  new ServiceError(
    'conflict',
    'integration_not_active',
    `the integration is ${integration.state}; fix it before billing`,
  );

/**
 * Billing plans a partner reads and applies: previews (dry runs), and applying a previewed plan by
 * its hash. Plans held for a decision are services/billing-approvals.ts's.
 */
export class BillingPlanService {
  constructor(private readonly deps: BillingPlanDeps) {}

  private async integrationOf(partnerId: string, active = true): Promise<IntegrationRecord> {
    const integration = await this.deps.repos.integrations.findForPartner(partnerId);
    if (!integration) throw notFound('ConnectWise integration');
    if (active && integration.state !== 'active') throw notActive(integration);
    return integration;
  }

  /** Plans the next run as a workflow (its activities on the interactive queue); shows the plan. */
  async preview(partnerId: string): Promise<PlanView> {
    const integration = await this.integrationOf(partnerId);
    const { temporal, config } = this.deps;
    const previewKey = billingPreviewWorkflowId(integration.id, randomUUID());
    const result = await callTemporal(temporal, () =>
      temporal.workflow.execute<typeof billingPreviewWorkflow>('billingPreviewWorkflow', {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: previewKey,
        args: [
          {
            partnerId,
            integrationId: integration.id,
            runKey: previewKey,
            trigger: 'manual',
            preview: true,
          },
          { activityTaskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE },
        ],
        workflowExecutionTimeout: PREVIEW_TIMEOUT_MS,
        typedSearchAttributes: [
          { key: IntegrationIdKey, value: integration.id },
          { key: PartnerIdKey, value: partnerId },
          { key: SyncKindKey, value: 'billing_preview' },
        ],
      }),
    );
    if (result.nothingToDo)
      throw new ServiceError('conflict', 'nothing_to_plan', result.nothingToDo);
    const scope = { partnerId, integrationId: integration.id, runKey: previewKey };
    const plans = await this.deps.repos.billingSnapshots.getPlans(
      scope,
      result.planned.map((p) => p.agreementId),
    );
    return planView({ ...result, plans });
  }

  /**
   * Applies a previewed plan if planning again gives the same hash (else `plan_changed`, with the
   * new plan): queues a run that writes only what that plan shows.
   */
  async apply(
    partnerId: string,
    planHash: string,
    by: string,
  ): Promise<SynchronizeAnswer & { previewKey: string; planHash: string }> {
    const fresh = await this.preview(partnerId);
    if (fresh.planHash !== planHash) {
      throw new ServiceError(
        'conflict',
        'plan_changed',
        'the plan changed since that preview; review the new plan and apply its planHash',
        { plan: fresh },
      );
    }
    const integration = await this.integrationOf(partnerId);
    const answer = await this.deps.lifecycle.synchronize(integration, {
      requestedAt: new Date().toISOString(),
      requestedBy: by,
      approvedKey: fresh.previewKey,
    });
    return { ...answer, previewKey: fresh.previewKey, planHash };
  }
}
