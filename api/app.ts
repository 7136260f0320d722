import { hostname } from 'node:os';
import { metrics } from '../observability/metrics';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../config/logger';
import { requestLog } from './request-log';
import { errorHandler, unknownRoute } from './errors';
import { healthRouter, type DependencyCheck } from './health';
import { deferBodyErrors, rejectMalformedPath, requireJsonBody } from './request-guards';
import { securityHeaders } from './security-headers';

export interface AppDeps {
  logger: Logger;
  checks: DependencyCheck[];
  /** Names this process in /healthz and /readyz (INSTANCE_ID); default `<host name>:<pid>`. */
  instance?: string;
  /** The versioned API, mounted at /v1. */
  v1?: Router;
  /** The Temporal UI's remote codec, mounted at /codec when configured. */
  codec?: Router;
  /** The ConnectWise hosted tab's pages (no bearer token), mounted at /hosted. */
  hosted?: Router;
  /** ConnectWise's ticket callbacks (signed, raw body), mounted at /connectwise/callbacks. */
  callbacks?: Router;
  /** The partner console (a browser app calling /v1), mounted at /console. */
  console?: Router;
}

/** Each answer counted and timed by its route template (`unmatched` when no route took it). */
const countRequests: RequestHandler = (req, res, next) => {
  const end = process.hrtime.bigint();
  res.once('finish', () => {
    const path = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
    const labels = { method: req.method, route };
    metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - end) / 1e9);
  });
  next();
};

export function createApp(deps: AppDeps): Express {
  const { logger, checks, v1, codec, hosted, callbacks, console: consoleUi } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(countRequests);
  app.use(securityHeaders());
  app.use(requestLog(logger));
  app.use(rejectMalformedPath);
  // Before the JSON parser: the codec takes larger bodies, with its own limit.
  if (codec) app.use('/codec', codec);
  // Before the JSON parser too: the signature is over the body's exact bytes.
  if (callbacks) app.use('/connectwise/callbacks', callbacks);
  app.use(deferBodyErrors(requireJsonBody));
  // Large enough for the biggest documented bulk push (1000 products with 6000-character text).
  app.use(deferBodyErrors(express.json({ limit: '8mb' })));
  app.use(healthRouter(checks, deps.instance ?? `${hostname()}:${process.pid}`));
  if (v1) app.use('/v1', v1);
  if (hosted) app.use('/hosted', hosted);
  if (consoleUi) app.use('/console', consoleUi);
  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
