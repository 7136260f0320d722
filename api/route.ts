import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import type { Principal } from '../db';
import { canActFor, partnerNotFound } from './auth';
import { fieldErrors, validationError } from './errors';

type AnyObject = z.ZodObject<z.ZodRawShape>;
type NoQuery = z.ZodObject<Record<string, never>>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax, e.g. `/partners/:partnerId/customers`. */
  path: string;
  summary: string;
  tags: string[];
  params: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: ZodType }>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>;
}

/** A declared route with its types erased, ready to mount. */
export interface Route {
  openapi: RouteConfig;
  method: RouteSpec<AnyObject, AnyObject, ZodType>['method'];
  path: string;
  run: (req: Request, res: Response) => Promise<RouteResult>;
}

function parsePart<T extends ZodType>(
  schema: T | undefined,
  value: unknown,
  where: string,
): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(fieldErrors(parsed.error, where));
  return parsed.data;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** Declares a route; one spec feeds both the Express handler and the OpenAPI document. */
export function route<
  P extends AnyObject,
  Q extends AnyObject = NoQuery,
  B extends ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): Route {
  const run = async (req: Request, res: Response): Promise<RouteResult> => {
    const params = parsePart(spec.params, req.params, 'params');
    const principal = res.locals.principal;
    const partnerId = (params as { partnerId?: unknown }).partnerId;
    if (typeof partnerId === 'string' && !canActFor(principal, partnerId)) throw partnerNotFound();
    if (!principal) throw new Error('route mounted without authentication');
    return spec.handler({
      params,
      query: parsePart(spec.query, req.query, 'query'),
      body: parsePart(spec.body, req.body, 'body'),
      principal,
      req,
      res,
    });
  };
  const openapi: RouteConfig = {
    method: spec.method,
    path: openApiPath(spec.path),
    summary: spec.summary,
    tags: spec.tags,
    security: [{ bearerAuth: [] }],
    request: {
      params: spec.params,
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
        },
      ]),
    ),
  };
  return { openapi, method: spec.method, path: spec.path, run };
}

export function mountRoutes(router: Router, registry: OpenAPIRegistry, routes: Route[]): void {
  for (const r of routes) {
    router[r.method](r.path, async (req: Request, res: Response) => {
      const result = await r.run(req, res);
      res.status(result.status ?? 200);
      if (result.body === undefined) res.end();
      else res.json(result.body);
    });
    registry.registerPath(r.openapi);
  }
}
