import { isDeepStrictEqual } from 'node:util';
import { toHttpError } from './errors';
import type { ZodType } from 'zod';

/**
 * One declared answer. `schema: null` means no body (a 204): every other answer names its schema,
 * so the OpenAPI document is exact and a handler cannot send a field it does not declare.
 */
export interface ResponseSpec {
  description: string;
  schema: ZodType | null;
  /** OpenAPI links: which other operations take a value of this answer (see `linkTo` in route.ts). */
  links?: Record<string, LinkSpec>;
}

/** An OpenAPI link: the operation (by its method and Express path) and how its parameters are filled. */
export interface LinkSpec {
  operationRef: string;
  parameters: Record<string, string>;
  description?: string;
}

/** Raised when a handler answers outside its declaration: a bug in the engine, shown as a 500. */
export class UndeclaredResponseError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'UndeclaredResponseError';
  }
}

/**
 * The body to send for a handler's answer, checked against the route's declared schema for that
 * status, as the client will see it (JSON). Fields the schema does not declare are dropped, so no
 * route can leak one; in strict mode (the tests) any difference is an error instead.
 */
export function checkResponse(
  route: { method: string; path: string; responses: Record<number, ResponseSpec> },
  status: number,
  body: unknown,
  strict: boolean,
): unknown {
  const where = `${route.method.toUpperCase()} ${route.path} → ${status}`;
  const declared = route.responses[status];
  if (!declared) throw new UndeclaredResponseError(where, 'status not declared');
  if (declared.schema === null) {
    if (body !== undefined) throw new UndeclaredResponseError(where, 'declared without a body');
    return undefined;
  }
  if (body === undefined) throw new UndeclaredResponseError(where, 'declared with a body');
  const json: unknown = JSON.parse(JSON.stringify(body));
  const parsed = declared.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new UndeclaredResponseError(
      where,
      `body does not match its schema (${issues.join('; ')})`,
    );
  }
  if (strict && !isDeepStrictEqual(parsed.data, json)) {
    throw new UndeclaredResponseError(where, 'body has fields its schema does not declare');
  }
  return parsed.data;
}

/**
 * Strict mode (the tests): an error answer must be one the route declares too, so the OpenAPI
 * document lists every status a client can meet. Unanticipated errors (500s) are bugs anyway.
 */
export function checkErrorDeclared(
  route: { method: string; path: string; responses: Record<number, ResponseSpec> },
  err: unknown,
): void {
  const http = toHttpError(err);
  if (http && !route.responses[http.status]) {
    throw new UndeclaredResponseError(
      `${route.method.toUpperCase()} ${route.path} → ${http.status}`,
      `error ${http.code} is not declared`,
    );
  }
}
