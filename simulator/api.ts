import express, { type Request, type Response, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { authenticate, checkApiVersion } from './auth';
import { bindBody } from './binding';
import { EdgeError } from './edge';
import { notFound } from './errors';
import type { FaultRule } from './faults';
import { cwMediaType, matchRoute, validatorDoc } from './openapi';
import { routeTable } from './routes';
import type { Reply, RequestCtx } from './routes/types';
import { enforce, requirementsFor } from './security';
import { sleep } from './sleep';
import type { Store } from './store';

type ValidatorOptions = Parameters<typeof OpenApiValidator.middleware>[0];

function requestUrl(req: Request): URL {
  return new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
}

/** Writes a handler's reply, unless an after-commit fault replaces or swallows it. */
async function send(req: Request, res: Response, reply: Reply): Promise<void> {
  const after = res.locals.afterCommit as FaultRule | undefined;
  if (after?.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (after?.kind === 'serverError') {
    throw new EdgeError(
      after.status,
      'InternalServerError',
      'An internal error occurred (injected after commit).',
      after.body,
    );
  }
  const delay = res.locals.delayResponseMs as number | undefined;
  if (delay) await sleep(delay);
  res.set(reply.headers ?? {});
  if (reply.status === 204) {
    res.status(204).end();
    return;
  }
  res.status(reply.status).type(cwMediaType()).json(reply.body);
}

export interface ApiOptions {
  /** Check every response against the spec too (tests): a non-conforming one becomes a 500. */
  validateResponses?: boolean;
}

/**
 * Everything under `/{codebase}apis/3.0`: version pin, auth, spec validation, security role, then
 * the operation's handler. Paths here are relative to `apis/3.0`, as in the spec.
 */
export function apiRouter(store: Store, opts: ApiOptions = {}): Router {
  const routes = routeTable();
  const router = express.Router();
  router.use((req, _res, next) => {
    checkApiVersion(req.headers, requestUrl(req).href);
    authenticate(store, req.headers);
    next();
  });
  // Before the spec check, so `{"Summary": …}` counts as `summary` and unknown names are gone.
  router.use((req, res, next) => {
    const schema = matchRoute(req.method, req.path)?.operation?.requestSchema;
    if (schema && req.body !== undefined) {
      const { value, ignored } = bindBody(req.body, schema);
      req.body = value;
      if (ignored.length > 0) res.locals.ignoredFields = ignored;
    }
    next();
  });
  router.use(
    OpenApiValidator.middleware({
      apiSpec: validatorDoc() as unknown as ValidatorOptions['apiSpec'],
      // allErrors: CW lists every field problem at once (ajv's DoS caveat does not apply to a test double).
      validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
      validateResponses: opts.validateResponses ? { allErrors: true } : false,
      validateSecurity: false,
      useRequestUrl: true,
    }),
  );
  router.use(async (req, res) => {
    const match = matchRoute(req.method, req.path);
    const route = match?.operation
      ? routes[`${match.operation.method} ${match.template}`]
      : undefined;
    if (!match || !route) throw notFound(`Cannot find resource ${req.path}`);
    enforce(store, requirementsFor(req.method, match.template));
    const ctx: RequestCtx = {
      store,
      method: req.method,
      template: match.template,
      params: match.params,
      query: req.query,
      body: req.body as unknown,
      requestUrl: requestUrl(req),
      forwardOnly: /forward-only/i.test(req.get('pagination-type') ?? ''),
      clientId: req.get('clientId') ?? '',
    };
    await send(req, res, await route.handler(ctx));
  });
  return router;
}
