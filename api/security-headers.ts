import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Headers on every answer: helmet's defaults (`X-Content-Type-Options: nosniff`, HSTS,
 * `X-Frame-Options`, `Referrer-Policy: no-referrer`…), a CSP that lets a JSON answer load and
 * frame nothing, and `Cache-Control: no-store`, so no browser or proxy keeps partner data.
 * Static files of the docs page set their own Cache-Control (express.static).
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    }),
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ];
}

/**
 * The CSP of the docs page (swagger-ui-express). Its HTML loads every script from its own folder
 * (the bundle, the preset and `swagger-ui-init.js`, which carries the document), so scripts are
 * `'self'` only: no inline script, no eval. Styles also allow `'unsafe-inline'`: the page has
 * inline `<style>` blocks and style attributes (the SVG icon sprite), and swagger-ui renders
 * descriptions and highlighted examples as HTML with style attributes at run time, so hashes of
 * the page alone would not cover them. Inline style cannot run code; the page holds no secret but
 * the token a reader types into Authorize, which CSS cannot read. Images: its own and the `data:`
 * icons in swagger-ui.css. "Try it out" calls this API (`connect-src 'self'`). No
 * `upgrade-insecure-requests`: the local stack serves the page over plain http.
 */
export function docsContentSecurityPolicy(): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}
