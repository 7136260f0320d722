import { z } from 'zod';
import { port } from './values';

/**
 * The process itself and where it is reached: run mode, logging, the API's listener, its public
 * addresses. Part of config/schema.ts.
 */

/** Run mode, logging and the API's listener. */
export const runtime = {
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe('Runtime mode.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe(
      "pino log level. The API logs one line per request; the partner API's quick successful reads (GET /v1/…, which portals poll) only at debug.",
    ),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .default('json')
    .describe(
      '`json` lines for log shippers; `pretty` for a terminal (needs the dev dependency pino-pretty).',
    ),
  PORT: port.default(3000).describe('Port the API listens on.'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the API binds to.'),
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.:-]{1,100}$/, 'letters, digits and . _ : - only')
    .optional()
    .describe(
      "Names this process in the API's `/healthz` and `/readyz` answers (which replica answered; the local stack checks it is its own API that answers). Unset: `<host name>:<pid>`.",
    ),
};

/** Where browsers and ConnectWise reach the engine, and the vendor console's customer page. */
export const publicAddresses = {
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "The engine's address as browsers and ConnectWise reach it (e.g. https://cw-engine.example.com): the ConnectWise hosted tab opens `<this>/hosted/connectwise` (its origin is the tab's origin) and ConnectWise calls back `<this>/connectwise/callbacks/…` when a ticket changes; unset = the hosted tab cannot be installed and tickets are followed by polling only.",
    ),
  VENDOR_CONSOLE_CUSTOMER_URL: z
    .url({ protocol: /^https?$/ })
    .refine((v) => v.includes('{customerId}'), 'must contain {customerId}')
    .optional()
    .describe(
      "The vendor console's page of one customer, with `{customerId}` where its id goes: the hosted tab redirects there; unset = the tab explains that it is not configured.",
    ),
};
