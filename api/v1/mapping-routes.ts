import { z } from 'zod';
import type { Repositories } from '../../db';
import { createCompanySuggester } from '../../domain/mapping-suggestions';
import { checkCompanyMappings } from '../../services/company-mappings';
import type { IntegrationSettingsService } from '../../services/integration-settings';
import type { CompanyLists } from '../company-lists';
import type { ConnectWiseSession } from '../connectwise-session';
import { validationError } from '../errors';
import { route } from '../route';
import { nextCursorView, nextKeyCursorOf, setPageOf, setPageQuery } from './paging';
import { connectWiseFailures, cwIdInBody } from './connectwise-schemas';
import { errorBody, externalId, partnerParams, unique, uniqueKeys } from './schemas';

const TAGS = ['Company mapping'];
const path = '/partners/:partnerId/connectwise/company-mappings';

const companyRef = z.object({ id: z.number(), identifier: z.string(), name: z.string() });
const mappingView = z.object({
  customerId: z.string(),
  name: z.string(),
  /** unmapped: never decided; excluded: mapped to no company on purpose. */
  status: z.enum(['mapped', 'excluded', 'unmapped']),
  companyId: z.number().nullable(),
  /** The company's name when the mapping was saved. */
  companyName: z.string().nullable(),
  /** The mapped company as ConnectWise has it now; null when unmapped, deleted or gone. */
  company: companyRef.nullable(),
  suggestions: z.array(
    z.object({
      companyId: z.number(),
      identifier: z.string(),
      name: z.string(),
      score: z.number(),
    }),
  ),
});

const mappingsBody = z.object({
  mappings: z
    .array(z.object({ customerId: externalId, companyId: cwIdInBody.nullable() }))
    .min(1)
    .max(5000)
    .superRefine(unique((m) => m.customerId, 'customerId'))
    .meta(uniqueKeys('customerId')),
});

export interface MappingDeps {
  session: ConnectWiseSession;
  settings: Pick<IntegrationSettingsService, 'saveCompanyMappings'>;
  repos: Repositories;
  /** The tenant's companies, read at most once a minute (api/company-lists.ts). */
  companyLists: CompanyLists;
}

export function mappingRoutes({ session, settings, repos, companyLists }: MappingDeps) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path,
      summary:
        "Every vendor customer with its ConnectWise company and up to 3 suggestions by name (never applied by themselves), by customer id, a page at a time. ConnectWise's company list is read at most once a minute per integration; send `Cache-Control: no-cache` to read it now",
      tags: TAGS,
      params: partnerParams,
      query: setPageQuery,
      responses: {
        200: {
          description: 'Mappings',
          schema: z.object({ mappings: z.array(mappingView), nextCursor: nextCursorView }),
        },
        400: { description: 'Invalid page size or cursor', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, query, req, res }) => {
        const { partnerId } = params;
        const fresh = /\bno-cache\b/i.test(req.headers['cache-control'] ?? '');
        // One paged read of every live company serves every customer's suggestions (and every
        // request for a minute).
        const { integrationId, companies } = await session.call({
          partnerId,
          res,
          run: async (client, integration) => ({
            integrationId: integration.id,
            companies: await companyLists.of(integration, client, { fresh }),
          }),
        });
        const page = setPageOf(query);
        const { items: customers, next } = await repos.vendor.pageCustomers(partnerId, page);
        const through = customers.at(-1)?.customerId;
        const saved =
          through === undefined
            ? []
            : await repos.companyMappings.forCustomerRange(partnerId, integrationId, {
                after: page.after,
                through,
              });
        const savedFor = new Map(saved.map((m) => [m.customerId, m]));
        const live = new Map(companies.filter((c) => c.deletedFlag !== true).map((c) => [c.id, c]));
        const suggest = createCompanySuggester(companies);
        return {
          body: {
            mappings: customers.map((customer) => {
              const mapping = savedFor.get(customer.customerId);
              const companyId = mapping?.companyId ?? null;
              const current = companyId === null ? undefined : live.get(companyId);
              return {
                customerId: customer.customerId,
                name: customer.name,
                status: !mapping ? 'unmapped' : companyId === null ? 'excluded' : 'mapped',
                companyId,
                companyName: mapping?.companyName ?? null,
                company: current
                  ? { id: current.id, identifier: current.identifier, name: current.name }
                  : null,
                suggestions: suggest(customer.name),
              };
            }),
            nextCursor: nextKeyCursorOf(next),
          },
        };
      },
    }),
    route({
      method: 'put',
      auth: 'partner',
      path,
      summary:
        'Map customers to ConnectWise companies (companyId null excludes one); idempotent, all or nothing',
      tags: TAGS,
      params: partnerParams,
      body: mappingsBody,
      responses: {
        200: {
          description: 'Saved',
          schema: z.object({
            saved: z.number(),
            mappings: z.array(
              z.object({
                customerId: z.string(),
                companyId: z.number().nullable(),
                companyName: z.string().nullable(),
              }),
            ),
          }),
        },
        400: {
          description: 'Invalid, unknown customer, or missing or deleted company',
          schema: errorBody,
        },
        ...connectWiseFailures,
      },
      handler: async ({ params, body, res }) => {
        const { partnerId } = params;
        const { integrationId, problems, rows } = await session.call({
          partnerId,
          res,
          run: async (client, integration) => ({
            integrationId: integration.id,
            ...(await checkCompanyMappings({ client, repos }, partnerId, body.mappings)),
          }),
        });
        if (problems.length > 0) throw validationError(problems);
        await settings.saveCompanyMappings(partnerId, integrationId, rows);
        return {
          body: {
            saved: rows.length,
            mappings: rows.map((r) => ({
              customerId: r.customerId,
              companyId: r.companyId,
              companyName: r.companyName ?? null,
            })),
          },
        };
      },
    }),
  ];
}
