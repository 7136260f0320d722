import createClient, { type Middleware } from 'openapi-fetch';
import type { Session } from '../session';
import { ApiError } from './errors';
import type { paths } from './schema';

/**
 * The engine's public /v1 API, typed by the OpenAPI document the engine serves (schema.d.ts is
 * generated from it, and a test fails when the two differ): a screen cannot call a route or send
 * a field the API does not declare.
 */
export type Api = ReturnType<typeof createApi>;

export function createApi(session: Session) {
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${session.token}`);
      return request;
    },
  };
  const client = createClient<paths>({ baseUrl: '/v1' });
  client.use(auth);
  return client;
}

/**
 * The data of an openapi-fetch answer, or an ApiError carrying the engine's error body. Use as
 * `const x = await ok(api.GET('/partners/{partnerId}/…', { params }))`.
 */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error);
  return data as T;
}

/**
 * The whole of a set the API answers a page at a time (customers' mappings, product mappings, a
 * run's results): reads `nextCursor` to the end and answers the first page with every row under
 * `key`. Other fields are the first page's unless `merge` says otherwise.
 */
export async function allPages<
  K extends string,
  T extends { [k in K]: unknown[] } & { nextCursor: string | null },
>(
  key: K,
  page: (cursor: string | undefined) => Promise<T>,
  merge: (whole: T, next: T) => T = (whole) => whole,
): Promise<T> {
  let whole = await page(undefined);
  let cursor = whole.nextCursor;
  // A bound, so a server answering a cursor for ever cannot hang the screen.
  for (let n = 0; cursor !== null && n < 1000; n++) {
    const next = await page(cursor);
    whole = merge({ ...whole, [key]: [...whole[key], ...next[key]] }, next);
    cursor = next.nextCursor;
  }
  return { ...whole, nextCursor: null };
}

/** Every customer with its company mapping, by name (the order the screens show them in). */
export async function companyMappings(api: Api, path: { partnerId: string }) {
  const whole = await allPages('mappings', (cursor) =>
    ok(
      api.GET('/partners/{partnerId}/connectwise/company-mappings', {
        params: { path, query: { cursor } },
        // The screen shows ConnectWise's companies as they are now (a rename, a delete): the
        // first page reads them afresh, the next pages reuse that read.
        ...(cursor === undefined ? { headers: { 'cache-control': 'no-cache' } } : {}),
      }),
    ),
  );
  const key = (m: { name: string; customerId: string }) => [m.name, m.customerId] as const;
  const mappings = [...whole.mappings].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
  });
  return { ...whole, mappings };
}
