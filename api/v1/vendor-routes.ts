import { z } from 'zod';
import type { Repositories } from '../../db';
import { route } from '../route';
import { nextCursorView, nextKeyCursorOf, setPageOf, setPageQuery } from './paging';
import {
  errorBody,
  externalId,
  money,
  nonBlank,
  partnerParams,
  unique,
  uniqueKeys,
} from './schemas';
import { usageRoutes } from './usage-routes';

const customer = z.object({ customerId: externalId, name: nonBlank(200) });
const product = z.object({
  sku: externalId,
  name: nonBlank(200),
  description: z.string().max(6000).default(''),
  price: money,
  cost: money,
});
const upsertResult = z.object({ received: z.number(), created: z.number(), updated: z.number() });

export function vendorRoutes(repos: Repositories) {
  return [
    route({
      method: 'put',
      auth: 'partner',
      path: '/partners/:partnerId/customers',
      summary: "Upsert the partner's customers (idempotent)",
      tags: ['Vendor data'],
      params: partnerParams,
      body: z.object({
        customers: z
          .array(customer)
          .min(1)
          .max(5000)
          .superRefine(unique((c) => c.customerId, 'customerId'))
          .meta(uniqueKeys('customerId')),
      }),
      responses: {
        200: { description: 'Saved', schema: upsertResult },
        400: { description: 'Invalid', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        const res = await repos.vendor.upsertCustomers(params.partnerId, body.customers);
        return { body: { received: body.customers.length, ...res } };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/customers',
      summary: "List the partner's customers, by customer id, a page at a time",
      tags: ['Vendor data'],
      params: partnerParams,
      query: setPageQuery,
      responses: {
        200: {
          description: 'Customers',
          schema: z.object({ customers: z.array(customer), nextCursor: nextCursorView }),
        },
        400: { description: 'Invalid page size or cursor', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const page = await repos.vendor.pageCustomers(params.partnerId, setPageOf(query));
        return { body: { customers: page.items, nextCursor: nextKeyCursorOf(page.next) } };
      },
    }),
    route({
      method: 'put',
      auth: 'partner',
      path: '/partners/:partnerId/products',
      summary: "Upsert the vendor's products as sold to this partner (idempotent)",
      tags: ['Vendor data'],
      params: partnerParams,
      body: z.object({
        products: z
          .array(product)
          .min(1)
          .max(1000)
          .superRefine(unique((p) => p.sku, 'sku'))
          .meta(uniqueKeys('sku')),
      }),
      responses: {
        200: { description: 'Saved', schema: upsertResult },
        400: { description: 'Invalid', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        const res = await repos.vendor.upsertProducts(params.partnerId, body.products);
        return { body: { received: body.products.length, ...res } };
      },
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/products',
      summary: 'List products, by sku, a page at a time',
      tags: ['Vendor data'],
      params: partnerParams,
      query: setPageQuery,
      responses: {
        200: {
          description: 'Products',
          schema: z.object({ products: z.array(product), nextCursor: nextCursorView }),
        },
        400: { description: 'Invalid page size or cursor', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const page = await repos.vendor.pageProducts(params.partnerId, setPageOf(query));
        return { body: { products: page.items, nextCursor: nextKeyCursorOf(page.next) } };
      },
    }),
    ...usageRoutes(repos),
  ];
}
