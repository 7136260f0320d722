import { z } from 'zod';
import {
  CONDITION_TEXT,
  CONDITION_TEXT_MESSAGE,
  evaluateAgreement,
  isWellFormedText,
  listAgreementsByCompany,
  listBoards,
  listBoardStatuses,
  listPriorities,
  listSources,
  searchCompanies,
  WELL_FORMED_MESSAGE,
} from '../../connectwise';
import { billingPolicyOf } from '../../domain/billing/settings';
import { billingDayOf } from '../../services/billing/billing-day';
import type { ConnectWiseSession } from '../connectwise-session';
import { linkTo, route } from '../route';
import { boardParams, companyParams, connectWiseFailures } from './connectwise-schemas';
import { decimalInt } from './decimal';
import { errorBody, partnerParams } from './schemas';

const TAGS = ['Setup look-ups'];
const base = '/partners/:partnerId/connectwise';

// Exactly what the conditions builder accepts (connectwise/condition-text.ts), so a search the
// route lets through can always be sent; the pattern is valid JSON Schema, flags or not.
const searchText = z
  .string()
  .trim()
  .max(100)
  .regex(CONDITION_TEXT, CONDITION_TEXT_MESSAGE)
  .refine(isWellFormedText, WELL_FORMED_MESSAGE)
  .optional();

const companiesQuery = z.object({
  search: searchText,
  page: decimalInt(1, 100_000).default(1),
  pageSize: decimalInt(1, 100).default(25),
});

const companyView = z.object({
  id: z.number(),
  identifier: z.string(),
  name: z.string(),
  status: z.string().nullable(),
});
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
const agreementView = z.object({
  id: z.number(),
  name: z.string(),
  type: z.string().nullable(),
  agreementStatus: z.string().nullable(),
  billingCycle: z.string().nullable(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  noEndingDateFlag: z.boolean(),
  cancelledFlag: z.boolean(),
  recurring: z.boolean(),
  eligible: z.boolean(),
  reason: z.string(),
});

export interface LookupDeps {
  session: ConnectWiseSession;
  /**
   * The clock: agreements are judged on the MSP's billing day of `now()`, as a run judges them
   * (the billing settings' time zone, else ConnectWise's server zone: billingDayOf).
   */
  now: () => Date;
}

/** Read-only pickers for the setup screens, straight from the partner's ConnectWise. */
export function lookupRoutes({ session, now }: LookupDeps) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/companies`,
      summary:
        'ConnectWise companies by name or identifier, a page at a time (deleted ones left out)',
      tags: TAGS,
      params: partnerParams,
      query: companiesQuery,
      responses: {
        200: {
          description: 'One page',
          schema: z.object({
            companies: z.array(companyView),
            page: z.number(),
            pageSize: z.number(),
            hasMore: z.boolean(),
          }),
          links: {
            agreements: linkTo('get', `${base}/companies/:companyId/agreements`, {
              companyId: '$response.body#/companies/0/id',
            }),
          },
        },
        400: { description: 'Invalid query', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, query, res }) => {
        const page = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) =>
            searchCompanies(client, {
              name: query.search,
              page: query.page,
              pageSize: query.pageSize,
            }),
        });
        return {
          body: {
            companies: page.items
              // The query already leaves deleted companies out; this keeps it so if it changes.
              .filter((c) => c.deletedFlag !== true)
              .map((c) => ({
                id: c.id,
                identifier: c.identifier,
                name: c.name,
                status: c.status?.name ?? null,
              })),
            page: query.page,
            pageSize: query.pageSize,
            hasMore: page.hasMore,
          },
        };
      },
    }),
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
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/companies/:companyId/agreements`,
      summary:
        "A company's agreements, each saying whether usage can be billed through it and why (cancelled ones only on request)",
      tags: TAGS,
      params: companyParams,
      query: z.object({
        includeCancelled: z
          .enum(['true', 'false'], { error: 'must be true or false' })
          .default('false')
          .transform((v) => v === 'true'),
      }),
      responses: {
        200: {
          description: 'Agreements, eligible ones first',
          schema: z.object({ agreements: z.array(agreementView) }),
        },
        400: { description: 'Invalid company id', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, query, res }) => {
        const at = now();
        const [agreements, { today: day }] = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client, integration) =>
            Promise.all([
              listAgreementsByCompany(client, params.companyId, {
                includeCancelled: query.includeCancelled,
              }),
              billingDayOf(client, billingPolicyOf(integration.billingSettings).timeZone, at),
            ]),
        });
        return {
          body: {
            agreements: agreements
              .map((a) => ({
                id: a.id,
                name: a.name,
                type: a.type.name ?? null,
                agreementStatus: a.agreementStatus ?? null,
                billingCycle: a.billingCycle?.name ?? null,
                startDate: a.startDate ?? null,
                endDate: a.endDate ?? null,
                noEndingDateFlag: a.noEndingDateFlag === true,
                cancelledFlag: a.cancelledFlag === true,
                ...evaluateAgreement(a, day),
              }))
              .sort(
                (a, b) =>
                  Number(b.eligible) - Number(a.eligible) ||
                  a.name.localeCompare(b.name) ||
                  a.id - b.id,
              ),
          },
        };
      },
    }),
  ];
}
