import { z } from 'zod';
import { listBoards, listBoardStatuses, listPriorities, listSources } from '../../connectwise';
import type { ConnectWiseSession } from '../connectwise-session';
import { linkTo, route } from '../route';
import { boardParams, connectWiseFailures } from './connectwise-schemas';
import { errorBody, partnerParams } from './schemas';

/**
 * Read-only pickers for the ticket settings (a board and its statuses, a source, a priority),
 * straight from the partner's ConnectWise; lookup-routes.ts lists them among the setup look-ups.
 */

const TAGS = ['Setup look-ups'];
const base = '/partners/:partnerId/connectwise';

const boardView = z.object({ id: z.number(), name: z.string() });
const statusView = z.object({
  id: z.number(),
  name: z.string(),
  closedStatus: z.boolean(),
  inactive: z.boolean(),
  defaultFlag: z.boolean(),
  sortOrder: z.number().nullable(),
});
const namedView = z.object({ id: z.number(), name: z.string(), defaultFlag: z.boolean() });
const priorityView = namedView.extend({
  sortOrder: z.number().nullable(),
  level: z.string().nullable(),
});

export function ticketLookupRoutes({ session }: { session: ConnectWiseSession }) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/boards`,
      summary: 'Service boards that can take tickets (active, not project boards)',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: {
          description: 'Boards',
          schema: z.object({ boards: z.array(boardView) }),
          links: {
            statuses: linkTo('get', `${base}/boards/:boardId/statuses`, {
              boardId: '$response.body#/boards/0/id',
            }),
          },
        },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const boards = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) => listBoards(client),
        });
        return {
          body: {
            boards: boards
              .filter((b) => b.inactiveFlag !== true && b.projectFlag !== true)
              .map((b) => ({ id: b.id, name: b.name }))
              .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id),
          },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/boards/:boardId/statuses`,
      summary: "A board's statuses; closedStatus marks those a ticket can be closed with",
      tags: TAGS,
      params: boardParams,
      responses: {
        200: { description: 'Statuses', schema: z.object({ statuses: z.array(statusView) }) },
        400: { description: 'Invalid board id', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const statuses = await session.call({
          partnerId: params.partnerId,
          res,
          notFound: `ConnectWise has no service board ${params.boardId}`,
          run: (client) => listBoardStatuses(client, params.boardId, { includeInactive: true }),
        });
        return {
          body: {
            statuses: statuses
              .map((s) => ({
                id: s.id,
                name: s.name,
                closedStatus: s.closedStatus === true,
                inactive: s.inactive === true,
                defaultFlag: s.defaultFlag === true,
                sortOrder: s.sortOrder ?? null,
              }))
              .sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0) || a.id - b.id),
          },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/sources`,
      summary: 'Ticket sources',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Sources', schema: z.object({ sources: z.array(namedView) }) },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const sources = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) => listSources(client),
        });
        return {
          body: {
            sources: sources.map((s) => ({
              id: s.id,
              name: s.name,
              defaultFlag: s.defaultFlag === true,
            })),
          },
        };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/priorities`,
      summary: 'Ticket priorities',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Priorities', schema: z.object({ priorities: z.array(priorityView) }) },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const priorities = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) => listPriorities(client),
        });
        return {
          body: {
            priorities: priorities.map((p) => ({
              id: p.id,
              name: p.name,
              defaultFlag: p.defaultFlag === true,
              sortOrder: p.sortOrder ?? null,
              level: p.level ?? null,
            })),
          },
        };
      },
    }),
  ];
}
