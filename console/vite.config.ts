import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The partner console: a single-page app served by the API at /console (api/console.ts). Built
 * into dist/console, beside the compiled engine, so the production image carries it.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, '../dist/console'),
    emptyOutDir: true,
    // One small bundle; no inline scripts (the page's CSP allows 'self' only).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
