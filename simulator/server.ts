import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adminRouter } from './admin-routes';
import { createAdminClient, type SimulatorAdmin } from './admin-client';
import { apiRouter, type ApiOptions } from './api';
import { EdgeError, retryAfterHeader } from './edge';
import { companyScreen } from './company-screen';
import { CwError } from './errors';
import { errorHandler } from './error-handler';
import { Faults } from './faults';
import { Journal } from './journal';
import { matchRoute } from './openapi';
import { loadDemoSeed, parseSeed, type SimulatorSeed } from './seed';
import { sleep } from './sleep';
import { Store } from './store';

export const DEFAULT_CODEBASE = 'v2025_1/';
/** The alias every CW server answers on, whatever its current codebase. */
export const STABLE_CODEBASE = 'v4_6_release/';

const API_PATH = /^\/([^/]+)\/apis\/3\.0(\/.*)?$/i;
const COMPANY_INFO_PATH = /^\/login\/companyinfo\/[^/]+\/?$/i;

export interface SimulatorOptions {
  port?: number;
  host?: string;
  seed?: SimulatorSeed;
  codebase?: string;
}

export interface SimulatorHandle {
  /** e.g. `http://127.0.0.1:41234`: what the engine uses as the on-prem "site". */
  origin: string;
  admin: SimulatorAdmin;
  close(): Promise<void>;
}

export interface Simulator {
  store: Store;
  faults: Faults;
  journal: Journal;
}

/** Path relative to `apis/3.0` and its spec template, for journal, faults and errors. */
function locate(req: Request, res: Response, next: NextFunction): void {
  const api = API_PATH.exec(req.path);
  const relPath = api ? (api[2] ?? '/') : req.path;
  let template = relPath;
  if (api) template = matchRoute(req.method, relPath)?.template ?? relPath;
  else if (COMPANY_INFO_PATH.test(req.path)) template = '/login/companyinfo/{companyId}';
  res.locals.relPath = relPath;
  res.locals.template = template;
  next();
}

function journalling(journal: Journal) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    // Captured now: a mounted router rewrites req.url while it handles the request.
    const path = req.path;
    const query = Object.fromEntries(new URL(req.originalUrl, 'http://x').searchParams);
    res.on('close', () => {
      journal.add({
        time: new Date(started).toISOString(),
        method: req.method,
        path,
        template: res.locals.template as string,
        query,
        status: res.headersSent ? res.statusCode : 0,
        durationMs: Date.now() - started,
        ...(res.locals.fault ? { fault: res.locals.fault as string } : {}),
        ...(res.locals.ignoredFields
          ? { ignoredFields: res.locals.ignoredFields as string[] }
          : {}),
      });
    });
    next();
  };
}

/** Applies the first matching fault rule (see faults.ts); runs before auth, like an edge proxy. */
function injecting(faults: Faults) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const rule = faults.pick(
      req.method,
      res.locals.relPath as string,
      res.locals.template as string,
    );
    if (!rule) return next();
    res.locals.fault = rule.kind;
    switch (rule.kind) {
      case 'latency': {
        const extra =
          rule.maxMs && rule.maxMs > rule.ms ? faults.random() * (rule.maxMs - rule.ms) : 0;
        await sleep(Math.round(rule.ms + extra));
        if (req.socket.destroyed) return; // the client gave up; the request never reached the server
        return next();
      }
      case 'rateLimit':
        throw new EdgeError(
          429,
          'TooManyRequests',
          'Rate limit exceeded; retry after the indicated delay.',
          rule.body,
          retryAfterHeader(rule.retryAfterSeconds, rule.retryAfter),
        );
      case 'serverError':
        if (rule.afterCommit) {
          res.locals.afterCommit = rule;
          return next();
        }
        throw new EdgeError(
          rule.status,
          'InternalServerError',
          `Injected ${rule.status}.`,
          rule.body,
        );
      case 'drop':
        if (rule.afterCommit) {
          res.locals.afterCommit = rule;
          return next();
        }
        req.socket.destroy();
        return;
      case 'slowCommit':
        if (rule.commitAt === 'start') {
          res.locals.delayResponseMs = rule.ms;
          return next();
        }
        await sleep(rule.ms);
        return next(); // even if the client has gone: the write still lands
    }
  };
}

function codebaseGuard(store: Store) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const requested = `${String(req.params.codebase)}/`.toLowerCase();
    if (requested !== store.codebase.toLowerCase() && requested !== STABLE_CODEBASE) {
      throw new EdgeError(
        404,
        'NotFound',
        `Codebase '${requested}' is not served here.`,
        store.oldCodebaseBody,
      );
    }
    next();
  };
}

export interface AppOptions extends ApiOptions {
  seed?: SimulatorSeed;
  codebase?: string;
}

export function createApp(opts: AppOptions = {}): { app: Express; sim: Simulator } {
  const seed = opts.seed ? parseSeed(opts.seed) : loadDemoSeed();
  const sim: Simulator = {
    store: new Store(seed, opts.codebase ?? DEFAULT_CODEBASE),
    faults: new Faults(),
    journal: new Journal(),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/__admin', adminRouter(sim));
  // The body is read before faults run: a slow write must still have it after the client has gone.
  const json = express.json({ type: ['application/json', 'application/*+json'], limit: '5mb' });
  app.use(locate, journalling(sim.journal), json, injecting(sim.faults));
  // No auth, no clientId, no role; an unknown company is HTTP 200 with a `null` body.
  app.get('/login/companyinfo/:companyId', (req, res) => {
    const { site, codebase } = sim.store;
    const known = String(req.params.companyId).toLowerCase() === site.companyId.toLowerCase();
    const body = known
      ? {
          CompanyName: site.companyName,
          Codebase: codebase,
          VersionCode: site.versionCode,
          VersionNumber: site.versionNumber,
          CompanyID: site.companyId,
          IsCloud: site.isCloud,
          SiteUrl: req.get('host') ?? '',
        }
      : null;
    res.type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
  app.use('/:codebase/apis/3.0', codebaseGuard(sim.store), apiRouter(sim.store, opts));
  // ConnectWise's own screens, reduced to the one that shows hosted tabs.
  app.get('/company-screen/:companyId', companyScreen(sim.store));
  // The signing key a callback's Metadata.key_url names (no auth, as receivers fetch it).
  app.get('/callback-keys/:keyId', (req, res) => {
    const key = sim.store.callbacks.signingKey(String(req.params.keyId));
    if (!key) throw new CwError(404, 'NotFound', 'Callback key not found');
    res.type('application/json').send(JSON.stringify({ signing_key: key }));
  });
  app.use((req) => {
    throw new CwError(404, 'NotFound', `Cannot find resource ${req.path}`);
  });
  app.use(errorHandler);
  return { app, sim };
}

export interface ServerOptions extends SimulatorOptions, ApiOptions {}

/** Starts the simulator on loopback (port 0 = any free port). */
export async function startSimulatorServer(
  opts: ServerOptions = {},
): Promise<SimulatorHandle & { sim: Simulator }> {
  const { app, sim } = createApp(opts);
  const host = opts.host ?? '127.0.0.1';
  const server = app.listen(opts.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  sim.store.callbacks.origin = origin;
  return {
    origin,
    admin: createAdminClient(origin),
    sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
