import { z } from 'zod';
import type { BillingApprovalService } from '../../services/billing-approvals';
import type { BillingPlanService } from '../../services/billing-plans';
import { route } from '../route';
import { cwId, cwIdInBody } from './connectwise-schemas';
import { decimalInt } from './decimal';
import { approvalView, approvalViewOf, planChangedBody, planViewSchema } from './plan-views';
import { errorBody, partnerParams } from './schemas';

/** Preview (dry run), apply a previewed plan by its hash, and decide on held plans. */
export function billingPlanRoutes(plans: BillingPlanService, approvals: BillingApprovalService) {
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
          ...(await plans.apply(params.partnerId, body.planHash, principal.tokenName)),
        },
      }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/approvals',
      summary:
        'Plans held for a decision, one per agreement (safety valve, approval mode, candidate additions), by agreement',
      tags: ['Billing'],
      params: partnerParams,
      query: z.object({
        customerId: z.string().max(200).optional(),
        after: cwId.optional().describe('The last agreement id of the page before (its `next`)'),
        limit: decimalInt(1, 200).default(50),
      }),
      responses: {
        200: {
          description: 'A page of pending approvals; `next` is the `after` of the next page',
          schema: z.object({ items: z.array(approvalView), next: z.number().nullable() }),
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const page = await approvals.listPending(params.partnerId, {
          ...(query.customerId ? { customerId: query.customerId } : {}),
          ...(query.after !== undefined ? { after: query.after } : {}),
          limit: query.limit,
        });
        return { body: { items: page.items.map(approvalViewOf), next: page.next } };
      },
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/approvals/decide',
      summary:
        'Approve or reject held plans by approvalId and planHash (all or nothing); an approval queues a run that writes it',
      tags: ['Billing'],
      params: partnerParams,
      body: z.object({
        decisions: z
          .array(
            z.object({
              approvalId: z.string().min(1).max(100),
              planHash: z.string().regex(/^[0-9a-f]{16}$/, 'must be a planHash'),
              decision: z.enum(['approve', 'reject']),
              candidates: z
                .array(
                  z.object({
                    additionId: cwIdInBody,
                    decision: z.enum(['adopt', 'keep_separate', 'cancel']),
                  }),
                )
                .max(100)
                .optional(),
            }),
          )
          .min(1)
          .max(500),
      }),
      responses: {
        200: {
          description: 'Decided; the run that writes the approved ones',
          schema: z.object({
            decided: z.array(approvalView),
            runWorkflowId: z.string().nullable(),
          }),
        },
        404: { description: 'No integration', schema: errorBody },
        409: {
          description: '`superseded`: a newer plan replaced one of them (with the current ones)',
          schema: z.object({
            error: errorBody.shape.error.extend({ current: z.array(approvalView).optional() }),
          }),
        },
      },
      handler: async ({ params, body, principal }) => {
        const done = await approvals.decide(params.partnerId, body.decisions, principal.tokenName);
        return {
          body: { decided: done.decided.map(approvalViewOf), runWorkflowId: done.runWorkflowId },
        };
      },
    }),
  ];
}
