import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import pino from 'pino';
import type { Logger } from '../config/logger';
import { withoutInstallToken } from './hosted/request-log';
import { redactCallbackToken } from './request-urls';

declare module 'http' {
  interface IncomingMessage {
    /** The request's number in this process (`reqId` in its log lines). */
    id?: number;
    /** The API's logger, for handlers that log about the request. */
    log: Logger;
  }
}

/** A read of the partner API answered in this time is routine; a slower one is logged. */
const SLOW_MS = 1_000;

/**
 * The level of a request's line: errors for 5xx; `debug` for the partner API's successful reads
 * (`GET /v1/…` below 400 and quick), which a portal polls many times a second and would drown the
 * log in; `info` for every other request (writes, refusals, the console, the hosted tab).
 */
export function requestLogLevel(
  method: string,
  url: string,
  status: number,
  ms: number,
): pino.Level | undefined {
  if (url === '/healthz' || url === '/readyz') return undefined; // probes every few seconds
  if (status >= 500) return 'error';
  const routineRead = (method === 'GET' || method === 'HEAD') && url.startsWith('/v1/');
  return routineRead && status < 400 && ms < SLOW_MS ? 'debug' : 'info';
}

/** The request as its log line shows it: the tokens some URLs carry hidden. */
const requestOf = (req: IncomingMessage) =>
  withoutInstallToken(redactCallbackTokenOf(pino.stdSerializers.req(req)));
const redactCallbackTokenOf = <R extends { url?: string }>(r: R): R => {
  if (r.url) r.url = redactCallbackToken(r.url);
  return r;
};

/**
 * One line per request once it is answered (method, URL, status, time), at `requestLogLevel`.
 * Not pino-http: it makes a child logger of the whole serialized, redacted request for every
 * request before it knows whether the line is logged, a sixth of a read's CPU in the API's
 * profile (bench:api); here a line is built only when its level is enabled.
 */
export function requestLog(logger: Logger): RequestHandler {
  let next = 0;
  return (req, res, proceed) => {
    req.id = ++next;
    req.log = logger;
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.headersSent ? res.statusCode : 0;
      const level = requestLogLevel(req.method, req.originalUrl, status, ms);
      if (!level || !logger.isLevelEnabled(level)) return;
      logger[level](
        {
          reqId: req.id,
          req: requestOf(req),
          res: pino.stdSerializers.res(res as ServerResponse),
          responseTime: Math.round(ms),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    proceed();
  };
}
