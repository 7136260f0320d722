import { z } from 'zod';
import type { HealthIssue, Repositories } from '../../db';
import { HEALTH_ISSUE_KINDS, HEALTH_OBJECT_TYPES } from '../../domain/health/issues';
import type { IntegrationService } from '../../services/integration-service';
import { route } from '../route';
import { cursor, DEFAULT_PAGE_SIZE, nextCursorOf, nextCursorView, pageSize } from './paging';
import { errorBody, partnerParams } from './schemas';

const TAGS = ['Health'];

export const healthIssueView = z
  .object({
    id: z.string(),
    kind: z.enum(HEALTH_ISSUE_KINDS),
    object: z.object({
      type: z.enum(HEALTH_OBJECT_TYPES),
      id: z.string(),
      name: z.string().optional(),
    }),
    message: z.string().describe('What is wrong'),
    fix: z.string().describe('What to do about it'),
    state: z.enum(['open', 'resolved']),
    firstSeen: z.string().datetime(),
    lastSeen: z.string().datetime(),
    occurrences: z.number().int().min(1).describe('Checks that found it since it opened'),
    resolvedAt: z.string().datetime().optional(),
    resolvedBy: z.string().optional().describe('The check that found it gone'),
  })
  .describe('A problem the engine found with the integration');

export const toHealthIssueView = (i: HealthIssue): z.infer<typeof healthIssueView> => ({
  id: i.id,
  kind: i.kind,
  object: i.object,
  message: i.message,
  fix: i.fix,
  state: i.state,
  firstSeen: i.firstSeen.toISOString(),
  lastSeen: i.lastSeen.toISOString(),
  occurrences: i.occurrences,
  ...(i.resolvedAt ? { resolvedAt: i.resolvedAt.toISOString() } : {}),
  ...(i.resolvedBy ? { resolvedBy: i.resolvedBy } : {}),
});

const listQuery = z.object({
  state: z.enum(['open', 'resolved']).optional(),
  kind: z.enum(HEALTH_ISSUE_KINDS).optional(),
  pageSize,
  cursor,
});

/** Problems the engine found with the integration, opened and resolved by its own checks. */
export function healthRoutes({
  repos,
  integrations,
}: {
  repos: Repositories;
  integrations: IntegrationService;
}) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/health-issues',
      summary:
        'Health issues, newest first, a page at a time (filters: state, kind); each says what is wrong and how to fix it',
      tags: TAGS,
      params: partnerParams,
      query: listQuery,
      responses: {
        200: {
          description: 'One page of issues',
          schema: z.object({ issues: z.array(healthIssueView), nextCursor: nextCursorView }),
        },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const integration = await integrations.live(params.partnerId);
        const page = await repos.healthIssues.page(
          { partnerId: params.partnerId, integrationId: integration.id },
          { state: query.state, kind: query.kind },
          { after: query.cursor, limit: query.pageSize ?? DEFAULT_PAGE_SIZE },
        );
        return {
          body: { issues: page.items.map(toHealthIssueView), nextCursor: nextCursorOf(page.next) },
        };
      },
    }),
  ];
}
