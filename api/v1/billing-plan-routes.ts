import { z } from 'zod';
import type { BillingPlanService } from '../../services/billing-plans';
import { route } from '../route';
import { planChangedBody, planViewSchema } from './plan-views';
import { errorBody, partnerParams } from './schemas';

const runParams = partnerParams.extend({
  runKey: z
    .string()
    .max(200)
    .regex(/^billing-run:[^/]+$/, 'must be a billing run id (billing-run:…)'),
});

/** Preview (dry run), apply a previewed plan by its hash, and decide on what a run holds. */
export function billingPlanRoutes(plans: BillingPlanService) {
  return [
    route({
      method: 'post',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/preview',
      summary:
        'The exact ConnectWise operations the next billing run would make, without making them',
      tags: ['Billing'],
      params: partnerParams,
      responses: {
        200: { description: 'The plan, with its planHash', schema: planViewSchema },
        404: { description: 'No integration', schema: errorBody },
        409: { description: 'Integration not active, or billing off', schema: errorBody },
      },
      handler: async ({ params }) => ({ body: await plans.preview(params.partnerId) }),
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/apply',
      summary:
        'Apply a previewed plan: queues a run that writes only what it showed, if planning again gives the same planHash',
      tags: ['Billing'],
      params: partnerParams,
      body: z.object({ planHash: z.string().regex(/^[0-9a-f]{16}$/, 'must be a planHash') }),
      responses: {
        202: {
          description: 'Queued (or joined) the run that applies it',
          schema: z.object({
            accepted: z.literal(true),
            runWorkflowId: z.string(),
            joined: z.boolean(),
            previewKey: z.string(),
            planHash: z.string(),
          }),
        },
        404: { description: 'No integration', schema: errorBody },
        409: {
          description: '`plan_changed` (with the new plan), or the integration not active',
          schema: planChangedBody,
        },
      },
      handler: async ({ params, body, principal }) => ({
        status: 202,
        body: {
          accepted: true as const,
          ...(await plans.apply(params.partnerId, body.planHash, principal.tokenId)),
        },
      }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/runs/:runKey/plan',
      summary: 'What a billing run planned and holds for approval (approval mode, safety valve)',
      tags: ['Billing'],
      params: runParams,
      responses: {
        200: { description: 'The held plan', schema: planViewSchema },
        404: { description: 'No integration, or no such run', schema: errorBody },
      },
      handler: async ({ params }) => ({
        body: await plans.runPlan(params.partnerId, params.runKey),
      }),
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/runs/:runKey/decision',
      summary: 'Approve or reject what a billing run holds',
      tags: ['Billing'],
      params: runParams,
      body: z.object({ decision: z.enum(['approve', 'reject']) }),
      responses: {
        200: {
          description: 'The decision, taken',
          schema: z.object({
            runKey: z.string(),
            decision: z.enum(['approve', 'reject']),
            agreements: z.number(),
          }),
        },
        404: { description: 'No integration, or no such run', schema: errorBody },
        409: { description: 'The run is not waiting for a decision', schema: errorBody },
      },
      handler: async ({ params, body, principal }) => ({
        body: await plans.decide(params.partnerId, params.runKey, {
          decision: body.decision,
          by: principal.tokenId,
        }),
      }),
    }),
  ];
}
