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
