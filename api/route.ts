import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import type { Principal } from '../db';
import { authorizeRoute, type AuthStrategy, type Authenticator } from './route-auth';
import { raiseBodyError } from './request-guards';
import { fieldErrors, HttpError, validationError, type FieldError } from './errors';
import {
  checkErrorDeclared,
  checkResponse,
  type LinkSpec,
  type ResponseSpec,
} from './route-responses';
import { errorBody } from './v1/schemas';

export type { AuthStrategy } from './route-auth';
export type { LinkSpec, ResponseSpec };

type AnyObject = z.ZodObject<z.ZodRawShape>;
type NoQuery = z.ZodObject<Record<string, never>>;

/** Who is calling: nobody on public routes, a token's principal everywhere else. */
export type PrincipalFor<A extends AuthStrategy> = A extends 'public' ? undefined : Principal;

export interface RouteContext<P, Q, B, A extends AuthStrategy = AuthStrategy> {
  params: P;
  query: Q;
  body: B;
  principal: PrincipalFor<A>;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

type LinkTarget = readonly [
  name: string,
  method: RouteSpec<AnyObject, AnyObject, ZodType, AuthStrategy>['method'],
  path: string,
];

/** Links by name to several operations that take the same parameters from one answer. */
export const linksTo = (targets: readonly LinkTarget[], parameters: Record<string, string>) =>
  Object.fromEntries(
    targets.map(([name, method, path]) => [name, linkTo(method, path, parameters)]),
  );

/**
 * A link to the operation at `method` `path` (Express syntax, as routes declare it): the path's
 * `:partnerId` is the request's own, the others come from `parameters` (runtime expressions such
 * as `$response.body#/runs/0/id`). Clients and the fuzzer (`npm run fuzz`) follow them.
 */
export function linkTo(
  method: RouteSpec<AnyObject, AnyObject, ZodType, AuthStrategy>['method'],
  path: string,
  parameters: Record<string, string>,
): LinkSpec {
  const template = openApiPath(path);
  const pointer = template.replace(/~/g, '~0').replace(/\//g, '~1');
  return {
    operationRef: `#/paths/${pointer}/${method}`,
    parameters: {
      ...(path.includes(':partnerId') ? { partnerId: '$request.path.partnerId' } : {}),
      ...parameters,
    },
  };
}

export interface RouteSpec<
  P extends AnyObject,
  Q extends AnyObject,
  B extends ZodType,
  A extends AuthStrategy,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax, e.g. `/partners/:partnerId/customers`. */
  path: string;
  /**
   * Required on every route, so none can forget it: `partner` (a bearer token acting for the
   * path's `:partnerId`), `service` (the portal's own service token only), `public` (no token).
   */
  auth: A;
  summary: string;
  tags: string[];
  params: P;
  query?: Q;
  body?: B;
  /** The success answers (and any route-specific errors); the common errors are added. */
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>, A>) => Promise<RouteResult>;
}

/** A declared route with its types erased, ready to mount. */
export interface Route {
  openapi: RouteConfig;
  method: RouteSpec<AnyObject, AnyObject, ZodType, AuthStrategy>['method'];
  path: string;
  auth: AuthStrategy;
  responses: Record<number, ResponseSpec>;
  run: (req: Request, res: Response, principal: Principal | undefined) => Promise<RouteResult>;
}

/**
 * Where a request holds the NUL character (U+0000): no text the engine keeps may contain it (the
 * database, FerretDB on PostgreSQL, cannot store it), so it is refused for every field alike. The
 * OpenAPI document says so once (`x-no-nul-characters`), and the fuzzer's hooks read it.
 */
function nulCharacters(value: unknown, path: string[], found: FieldError[] = []): FieldError[] {
  const field = () => path.join('.');
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ field: field(), message: NUL_MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulCharacters(item, [...path, String(i)], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push({ field: field(), message: NUL_MESSAGE });
      nulCharacters(item, [...path, key], found);
    }
  }
  return found;
}

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

function parsePart<T extends ZodType>(
  schema: T | undefined,
  value: unknown,
  where: string,
): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const nul = nulCharacters(value, [where]);
  if (nul.length > 0) throw validationError(nul);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(fieldErrors(parsed.error, where));
  return parsed.data;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** Answers every route may give besides its own, by what it declares. */
function commonResponses(spec: {
  auth: AuthStrategy;
  params: AnyObject;
  query?: unknown;
  body?: unknown;
}): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  const error = (status: number, description: string) => {
    out[status] = { description, schema: errorBody };
  };
  if (Object.keys(spec.params.shape).length > 0 || spec.query || spec.body)
    error(400, 'Invalid input; each refused field is named');
  if (spec.auth !== 'public') error(401, 'No token, or an unknown or revoked one');
  if (spec.auth === 'service') error(403, 'A service token is required');
  if (spec.auth === 'partner') error(404, "Not found; another partner's resources answer the same");
  if (spec.body) error(415, 'The body must be sent as application/json');
  error(503, 'A service the engine needs (database, Temporal) is unavailable; try again');
  return out;
}

/** Refuses, at start, a declaration whose strategy cannot hold (e.g. partner-scoped without an id). */
function checkDeclaration(spec: {
  method: string;
  path: string;
  auth: AuthStrategy;
  params: AnyObject;
}): void {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  if (spec.auth === 'partner') {
    if (!spec.path.includes(':partnerId') || !('partnerId' in spec.params.shape)) {
      throw new Error(`${where}: a partner-scoped route needs :partnerId in its path and params`);
    }
  } else if (!['service', 'public'].includes(spec.auth)) {
    throw new Error(`${where}: unknown auth strategy ${String(spec.auth)}`);
  }
}

/** Declares a route; one spec feeds both the Express handler and the OpenAPI document. */
export function route<
  P extends AnyObject,
  A extends AuthStrategy,
  Q extends AnyObject = NoQuery,
  B extends ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B, A>): Route {
  checkDeclaration(spec);
  const responses = { ...commonResponses(spec), ...spec.responses };
  const run = async (req: Request, res: Response, principal: Principal | undefined) =>
    spec.handler({
      params: parsePart(spec.params, req.params, 'params'),
      query: parsePart(spec.query, req.query, 'query'),
      body: parsePart(spec.body, req.body, 'body'),
      principal: principal as PrincipalFor<A>,
      req,
      res,
    });
  const openapi: RouteConfig = {
    method: spec.method,
    path: openApiPath(spec.path),
    summary: spec.summary,
    tags: spec.tags,
    security: spec.auth === 'public' ? [] : [{ bearerAuth: [] }],
    request: {
      params: spec.params,
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body
        ? {
            body: {
              content: { 'application/json': { schema: spec.body } },
              // A request without a body is refused unless its schema takes none.
              required: !spec.body.safeParse(undefined).success,
            },
          }
        : {}),
    },
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
          ...(r.links ? { links: r.links } : {}),
        },
      ]),
    ),
  };
  return { openapi, method: spec.method, path: spec.path, auth: spec.auth, responses, run };
}

export interface MountOptions {
  authenticate: Authenticator;
  /**
   * Tests: an answer that does not match its declared schema exactly (a missing, mistyped or
   * undeclared field) is an error instead of being trimmed to the schema.
   */
  strictResponses?: boolean;
}

export function mountRoutes(
  router: Router,
  registry: OpenAPIRegistry,
  routes: Route[],
  options: MountOptions,
): void {
  for (const r of routes) {
    router[r.method](r.path, async (req: Request, res: Response) => {
      let result: RouteResult;
      try {
        const principal = await authorizeRoute(r.auth, req, res, options.authenticate);
        raiseBodyError(req);
        result = await r.run(req, res, principal);
      } catch (err) {
        if (options.strictResponses) checkErrorDeclared(r, err);
        throw err;
      }
      const status = result.status ?? 200;
      const body = checkResponse(r, status, result.body, options.strictResponses === true);
      res.status(status);
      if (body === undefined) res.end();
      else res.json(body);
    });
    registry.registerPath(r.openapi);
  }
  // A path the API has, asked with a method it does not take: 405 naming those it takes (after
  // every route, so only what no route matched gets here; HEAD is GET's).
  const methods = new Map<string, Set<string>>();
  for (const r of routes) methods.set(r.path, (methods.get(r.path) ?? new Set()).add(r.method));
  for (const [path, declared] of methods) {
    const allow = [...declared].map((m) => m.toUpperCase());
    if (declared.has('get')) allow.push('HEAD');
    router.all(path, (req: Request, res: Response) => {
      res.setHeader('Allow', allow.join(', '));
      throw new HttpError(
        405,
        'method_not_allowed',
        `${req.method} is not allowed here; allowed: ${allow.join(', ')}`,
      );
    });
  }
}
