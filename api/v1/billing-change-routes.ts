import { z } from 'zod';
import type { Repositories } from '../../db';
import type { IntegrationService } from '../../services/integration-service';
import { route } from '../route';
import { dateRangeQuery, orderedRange, rangeOf } from './date-range';
import { billingChangeView, toBillingChangeView } from './history-views';
import { cursor, DEFAULT_PAGE_SIZE, nextCursorOf, nextCursorView, pageSize } from './paging';
import { errorBody, externalId, partnerParams } from './schemas';

const changesQuery = z
  .object({
    customerId: externalId.optional(),
    sku: externalId.optional(),
    ...dateRangeQuery,
    pageSize,
    cursor,
  })
  .superRefine(orderedRange);

export function billingChangeRoutes(repos: Repositories, integrations: IntegrationService) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/changes',
      summary:
        'The billing audit trail: every addition change a run applied or attempted, newest first, a page at a time',
      tags: ['Sync history'],
      params: partnerParams,
      query: changesQuery,
      responses: {
        200: {
          description: 'One page of changes',
          schema: z.object({ changes: z.array(billingChangeView), nextCursor: nextCursorView }),
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const integration = await integrations.live(params.partnerId);
        const { customerId, sku } = query;
        const page = await repos.billingChanges.page(
          params.partnerId,
          integration.id,
          { customerId, sku, ...rangeOf(query) },
          { after: query.cursor, limit: query.pageSize ?? DEFAULT_PAGE_SIZE },
        );
        return {
          body: {
            changes: page.items.map(toBillingChangeView),
            nextCursor: nextCursorOf(page.next),
          },
        };
      },
    }),
  ];
}
