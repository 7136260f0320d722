import { z } from 'zod';
import {
  CONDITION_TEXT,
  CONDITION_TEXT_MESSAGE,
  evaluateAgreement,
  isWellFormedText,
  listAgreementsByCompany,
  searchCompanies,
  WELL_FORMED_MESSAGE,
} from '../../connectwise';
import { billingPolicyOf } from '../../domain/billing/settings';
import { billingDayOf } from '../../services/billing/billing-day';
import type { ConnectWiseSession } from '../connectwise-session';
import { linkTo, route } from '../route';
import { companyParams, connectWiseFailures } from './connectwise-schemas';
import { decimalInt } from './decimal';
import { errorBody, partnerParams } from './schemas';
import { ticketLookupRoutes } from './ticket-lookup-routes';

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

/**
 * Read-only pickers for the setup screens, straight from the partner's ConnectWise: companies and
 * their agreements here, the ticket settings' pickers from ticket-lookup-routes.ts.
 */
export function lookupRoutes({ session, now }: LookupDeps) {
  const companies = route({
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
  });
  const agreements = route({
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
  });
  // In this order in the API description (and the console's types generated from it).
  return [companies, ...ticketLookupRoutes({ session }), agreements];
}
