import { z } from 'zod';
import { HttpError } from '../errors';
import type { IntegrationService } from '../../services/integration-service';
import type { LifecycleClient } from '../../temporal/lifecycle-client';
import type { Repositories } from '../../db';
import { HEALTH_ISSUE_KINDS, summarize } from '../../domain/health/issues';
import { route } from '../route';
import { errorBody, partnerParams } from './schemas';
import { billingProgressView, connectionReportView, workflowStatusView } from './views';

const paramsSchema = partnerParams;

export function statusRoutes(
  lifecycle: LifecycleClient,
  integrations: IntegrationService,
  repos: Pick<Repositories, 'healthIssues'>,
) {
  const liveIntegration = (partnerId: string) => integrations.live(partnerId);

  return [
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/status',
      summary: "The integration's state, its lifecycle workflow's status and the last validation",
      tags: ['Status'],
      params: paramsSchema,
      responses: {
        200: {
          description: 'Status',
          schema: z.object({
            integrationId: z.string(),
            state: z.string(),
            stateReason: z.string().nullable(),
            ticketSettingsProblem: z
              .string()
              .nullable()
              .describe(
                'Why ConnectWise refused tickets under the saved ticket settings (a board or status deleted or moved): events are held until the ticket settings are saved again',
              ),
            ticketCallbackProblem: z
              .string()
              .nullable()
              .describe(
                'Why ConnectWise cannot call the engine back for tickets (no PUBLIC_BASE_URL, or the API member may not manage callbacks): tickets are then followed by polling alone',
              ),
            lastValidation: connectionReportView.nullable(),
            workflow: workflowStatusView.nullable(),
            workflowProblem: z.enum(['not_running', 'unavailable']).nullable(),
            /** The billing run going on now: agreements done of total, operations applied. */
            runProgress: billingProgressView.nullable(),
            healthIssues: z
              .object({
                open: z.number().int().min(0),
                byKind: z.partialRecord(z.enum(HEALTH_ISSUE_KINDS), z.number().int().min(1)),
              })
              .describe('Open health issues, in all and per kind (GET …/health-issues lists them)'),
          }),
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params }) => {
        const integration = await liveIntegration(params.partnerId);
        const [workflow, openKinds] = await Promise.all([
          lifecycle.status(integration.id),
          repos.healthIssues.openKinds({
            partnerId: params.partnerId,
            integrationId: integration.id,
          }),
        ]);
        const running = typeof workflow === 'string' ? undefined : workflow.currentRun;
        const runProgress = running
          ? await lifecycle.runProgress(running.runWorkflowId).catch(() => undefined)
          : undefined;
        return {
          body: {
            integrationId: integration.id,
            state: integration.state,
            stateReason: integration.stateReason ?? null,
            ticketSettingsProblem: integration.ticketSettingsProblem ?? null,
            ticketCallbackProblem: integration.ticketCallbackProblem ?? null,
            lastValidation: integration.lastValidation ?? null,
            workflow: typeof workflow === 'string' ? null : workflow,
            workflowProblem: typeof workflow === 'string' ? workflow : null,
            runProgress: runProgress ?? null,
            healthIssues: summarize(openKinds),
          },
        };
      },
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/synchronize',
      summary: "Run a sync now (the portal's Synchronize button)",
      tags: ['Status'],
      params: paramsSchema,
      responses: {
        202: {
          description:
            'Accepted: the run it queued, or the queued run it joined (follow it by runWorkflowId in status, sync-runs and the Temporal UI)',
          schema: z.object({
            accepted: z.literal(true),
            integrationId: z.string(),
            runWorkflowId: z.string(),
            joined: z.boolean(),
          }),
        },
        404: { description: 'No integration', schema: errorBody },
        409: { description: 'Integration not active', schema: errorBody },
      },
      handler: async ({ params, principal }) => {
        const integration = await liveIntegration(params.partnerId);
        if (integration.state !== 'active') {
          throw new HttpError(
            409,
            'integration_not_active',
            `the integration is ${integration.state}; fix it before synchronizing`,
          );
        }
        const queued = await lifecycle.synchronize(integration, {
          requestedAt: new Date().toISOString(),
          requestedBy: principal.tokenId,
        });
        return {
          status: 202,
          body: { accepted: true, integrationId: integration.id, ...queued },
        };
      },
    }),
  ];
}
