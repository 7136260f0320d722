import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';
import { sendPage } from './hosted/page';

/**
 * Where `vite build` puts the console: dist/console. From the sources (api/) that is
 * ../dist/console; from the compiled engine (dist/api/) it is ../console.
 */
export function consoleDistDir(): string {
  const up = dirname(__dirname);
  return basename(up) === 'dist' ? join(up, 'console') : join(up, 'dist', 'console');
}

export interface ConsoleOptions {
  distDir: string;
  /**
   * Whether the customer pages (`/console/customers/:id`) may be framed by any site: the local
   * stack's stand-in for the vendor console, which the ConnectWise hosted tab frames. Off in
   * production, where the vendor's own console is that page.
   */
  frameableCustomerPages: boolean;
}

/**
 * The console's CSP: its own script and style files only (Vite emits no inline script), calls to
 * this origin's API only, no framing (but the stand-in customer pages, see above).
 */
function consolePolicy(frameAncestors: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

/**
 * The partner console at /console: hashed assets cached for good, every other path the app's
 * page (it routes in the browser). Not built → a page saying how to build it.
 */
export function consoleRouter({ distDir, frameableCustomerPages }: ConsoleOptions): Router {
  const router = Router();
  // `/console` → `/console/`, so the app's asset paths and its router agree.
  router.use((req, res, next) => {
    if (req.originalUrl.split('?')[0] === '/console') res.redirect(301, '/console/');
    else next();
  });
  const indexFile = join(distDir, 'index.html');
  router.use(
    '/assets',
    // Hashed file names: a new build is a new name, so these may be kept (the API's no-store is
    // for partner data).
    (_req, res, next) => {
      res.removeHeader('Cache-Control');
      next();
    },
    express.static(join(distDir, 'assets'), {
      index: false,
      fallthrough: false,
      immutable: true,
      maxAge: '365d',
    }),
  );
  const page = (res: Response, frameAncestors: string) => {
    // Checked and read per request (a few hundred bytes): a build made while the API runs is
    // served at once, with its new asset names.
    if (!existsSync(indexFile)) {
      sendPage(res, {
        status: 503,
        title: 'The console is not built',
        paragraphs: [
          'Run <code>npm run build:console</code> (or <code>npm start</code>, which builds it).',
        ],
      });
      return;
    }
    res.removeHeader('X-Frame-Options');
    res.setHeader('Content-Security-Policy', consolePolicy(frameAncestors));
    res.type('html').send(readFileSync(indexFile, 'utf8'));
  };
  router.get('/customers/:customerId', (_req, res) => {
    if (frameableCustomerPages) page(res, '*');
    else page(res, "'none'");
  });
  router.get('/{*rest}', (_req, res) => {
    page(res, "'none'");
  });
  return router;
}
