import { z } from 'zod';
import { catalogItemsById, type CatalogItem } from '../../connectwise';
import type { Repositories } from '../../db';
import { PRODUCT_MAPPING_SOURCES } from '../../db/models/product-mapping';
import type { IntegrationSettingsService } from '../../services/integration-settings';
import {
  checkProductMappings,
  listActiveCatalogEntries,
  suggestCatalogItems,
} from '../../services/product-mappings';
import { connectWiseHttpError } from '../connectwise-errors';
import type { ConnectWiseSession } from '../connectwise-session';
import { HttpError, validationError } from '../errors';
import { route } from '../route';
import { nextCursorView, nextKeyCursorOf, setPageOf, setPageQuery } from './paging';
import { connectWiseFailures, cwIdInBody } from './connectwise-schemas';
import { errorBody, externalId, partnerParams, unique, uniqueKeys } from './schemas';

const TAGS = ['Product mapping'];
const path = '/partners/:partnerId/connectwise/product-mappings';

const catalogItemView = z.object({
  id: z.number(),
  identifier: z.string(),
  description: z.string(),
  inactive: z.boolean(),
});
const mappingView = z.object({
  sku: z.string(),
  name: z.string(),
  /** null: the engine finds or creates the item at the next billing run. */
  catalogItemId: z.number().nullable(),
  /** Who chose the item: the partner (PUT) or the engine (a billing run). */
  source: z.enum(PRODUCT_MAPPING_SOURCES).nullable(),
  updatedAt: z.string().nullable(),
  /** The item as ConnectWise has it now; null when unmapped or gone from ConnectWise. */
  catalogItem: catalogItemView.nullable(),
  /**
   * Up to 3 active catalog items whose identifier or description resembles the sku or the name
   * (score 0..1, at least CANDIDATE_MIN_SCORE), best first, the mapped item left out. Never
   * applied by themselves; empty when none, or when suggestionsUnavailable says why.
   */
  suggestions: z.array(
    z.object({
      catalogItemId: z.number(),
      identifier: z.string(),
      description: z.string(),
      score: z.number(),
    }),
  ),
});

const mappingsBody = z.object({
  mappings: z
    .array(z.object({ sku: externalId, catalogItemId: cwIdInBody.nullable() }))
    .min(1)
    .max(5000)
    .superRefine(unique((m) => m.sku, 'sku'))
    .meta(uniqueKeys('sku')),
});

const itemView = (item: CatalogItem | undefined) =>
  item
    ? {
        id: item.id,
        identifier: item.identifier,
        description: item.description,
        inactive: item.inactiveFlag === true,
      }
    : null;

export interface ProductMappingDeps {
  session: ConnectWiseSession;
  settings: Pick<IntegrationSettingsService, 'saveProductMappings'>;
  repos: Repositories;
}

/** Which ConnectWise catalog item each vendor product is billed as. */
export function productMappingRoutes({ session, settings, repos }: ProductMappingDeps) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path,
      summary:
        'Every vendor product with the ConnectWise catalog item it is billed as (chosen by the partner or found or created by a billing run), as ConnectWise has it now, and up to 3 active items resembling it by name (never applied by themselves), by sku, a page at a time',
      tags: TAGS,
      params: partnerParams,
      query: setPageQuery,
      responses: {
        200: {
          description: 'Mappings',
          schema: z.object({
            mappings: z.array(mappingView),
            nextCursor: nextCursorView,
            /**
             * Why every product's suggestions are empty: ConnectWise failed to list the catalog
             * (the mappings are answered all the same). null when suggestions were made.
             */
            suggestionsUnavailable: z.string().nullable(),
          }),
        },
        400: { description: 'Invalid page size or cursor', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, query, req, res }) => {
        const { partnerId } = params;
        const page = setPageOf(query);
        const productsRead = repos.vendor.pageProducts(partnerId, page);
        const [{ items: products, next }, { saved, items, catalog }] = await Promise.all([
          productsRead,
          session.call({
            partnerId,
            res,
            run: async (client, integration) => {
              const through = (await productsRead).items.at(-1)?.sku;
              const saved =
                through === undefined
                  ? []
                  : await repos.productMappings.forSkuRange(partnerId, integration.id, {
                      after: page.after,
                      through,
                    });
              const [items, catalog] = await Promise.all([
                // One read of every mapped item, in `id in (…)` chunks.
                catalogItemsById(
                  client,
                  saved.map((m) => m.catalogItemId),
                ),
                // One paged read of the active catalog serves every product's suggestions. When
                // it fails, the failure is told as every ConnectWise failure is (logged, keys
                // refused marked), but answered as a reason instead of an error.
                listActiveCatalogEntries(client).then(
                  (entries) => ({ entries, unavailable: null }),
                  async (err: unknown) => {
                    const told = await connectWiseHttpError(err, {
                      repos,
                      integration,
                      // No Retry-After on an answer that succeeds.
                      res: { setHeader: () => res },
                      logger: req.log,
                    });
                    if (!(told instanceof HttpError)) throw told;
                    return { entries: [], unavailable: told.message };
                  },
                ),
              ]);
              return { saved, items, catalog };
            },
          }),
        ]);
        const savedFor = new Map(saved.map((m) => [m.sku, m]));
        const suggest = suggestCatalogItems(catalog.entries);
        return {
          body: {
            mappings: products.map((product) => {
              const mapping = savedFor.get(product.sku);
              return {
                sku: product.sku,
                name: product.name,
                catalogItemId: mapping?.catalogItemId ?? null,
                source: mapping?.source ?? null,
                updatedAt: mapping?.updatedAt.toISOString() ?? null,
                catalogItem: itemView(mapping && items.get(mapping.catalogItemId)),
                suggestions: suggest(product, mapping?.catalogItemId),
              };
            }),
            suggestionsUnavailable: catalog.unavailable,
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
        'Point vendor products at existing ConnectWise catalog items (catalogItemId null gives the choice back to the engine); all or nothing',
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
                sku: z.string(),
                catalogItemId: z.number().nullable(),
                catalogItem: catalogItemView.nullable(),
              }),
            ),
          }),
        },
        400: {
          description:
            'Invalid, unknown product, or catalog item missing or inactive in ConnectWise',
          schema: errorBody,
        },
        ...connectWiseFailures,
      },
      handler: async ({ params, body, res }) => {
        const { partnerId } = params;
        const { integrationId, checked } = await session.call({
          partnerId,
          res,
          run: async (client, integration) => ({
            integrationId: integration.id,
            checked: await checkProductMappings({ client, repos }, partnerId, body.mappings),
          }),
        });
        if (checked.problems.length > 0) throw validationError(checked.problems);
        await settings.saveProductMappings(partnerId, integrationId, checked);
        return {
          body: {
            saved: body.mappings.length,
            mappings: body.mappings.map(({ sku, catalogItemId }) => ({
              sku,
              catalogItemId,
              catalogItem: itemView(
                catalogItemId === null ? undefined : checked.items.get(catalogItemId),
              ),
            })),
          },
        };
      },
    }),
  ];
}
