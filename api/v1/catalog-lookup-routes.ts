import { z } from 'zod';
import {
  listProductCategories,
  listProductSubcategories,
  listProductTypes,
} from '../../connectwise';
import type { ConnectWiseSession } from '../connectwise-session';
import { HttpError } from '../errors';
import { route } from '../route';
import { connectWiseFailures, cwId } from './connectwise-schemas';
import { errorBody, partnerParams } from './schemas';

const TAGS = ['Setup look-ups'];
const base = '/partners/:partnerId/connectwise';

const setupEntryView = z.object({ id: z.number(), name: z.string(), defaultFlag: z.boolean() });

type SetupEntry = {
  id: number;
  name: string;
  inactiveFlag?: boolean | null;
  defaultFlag?: boolean | null;
};

/** What the settings screen can pick: active entries, by name. */
const pickable = (rows: readonly SetupEntry[]) =>
  rows
    .filter((r) => r.inactiveFlag !== true)
    .map((r) => ({ id: r.id, name: r.name, defaultFlag: r.defaultFlag === true }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);

/**
 * Pickers for the billing settings' catalog defaults (the category, subcategory and type a new
 * catalog item gets), straight from the partner's ConnectWise. Inactive entries are left out:
 * the settings check refuses them.
 */
export function catalogLookupRoutes({ session }: { session: ConnectWiseSession }) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/product-categories`,
      summary: 'Active product categories, for the catalog defaults of billing settings',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: {
          description: 'Categories',
          schema: z.object({ categories: z.array(setupEntryView) }),
        },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const categories = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) => listProductCategories(client),
        });
        return { body: { categories: pickable(categories) } };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/product-categories/:categoryId/subcategories`,
      summary: "A product category's active subcategories",
      tags: TAGS,
      params: partnerParams.extend({ categoryId: cwId }),
      responses: {
        200: {
          description: 'Subcategories',
          schema: z.object({ subcategories: z.array(setupEntryView) }),
        },
        400: { description: 'Invalid category id', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const { categoryId } = params;
        // The contract has no GET of one category: the (short) list tells whether it exists.
        const [categories, subcategories] = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) =>
            Promise.all([
              listProductCategories(client),
              listProductSubcategories(client, { categoryId }),
            ]),
        });
        if (!categories.some((c) => c.id === categoryId)) {
          throw new HttpError(
            404,
            'connectwise_not_found',
            `ConnectWise has no product category ${categoryId}`,
          );
        }
        return { body: { subcategories: pickable(subcategories) } };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/product-types`,
      summary: 'Active product types, for the catalog defaults of billing settings',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Types', schema: z.object({ types: z.array(setupEntryView) }) },
        ...connectWiseFailures,
      },
      handler: async ({ params, res }) => {
        const types = await session.call({
          partnerId: params.partnerId,
          res,
          run: (client) => listProductTypes(client),
        });
        return { body: { types: pickable(types) } };
      },
    }),
  ];
}
