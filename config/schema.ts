import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const port = z.coerce.number().int().min(0).max(65535);

const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
});

/**
 * Every environment variable the engine reads. The README's configuration table is generated from
 * this schema (`npm run config:table`) and a test keeps the two in step.
 */
export const configSchema = z.object({
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
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233')
    .describe('Temporal frontend gRPC address (host:port).'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('Temporal namespace.'),
  TEMPORAL_TLS: bool
    .optional()
    .describe(
      'Connect to Temporal over TLS (Temporal Cloud, a secured cluster). Unset: on when any `TEMPORAL_TLS_*` or `TEMPORAL_API_KEY` is set, else off.',
    ),
  TEMPORAL_TLS_CA_FILE: z
    .string()
    .optional()
    .describe(
      "PEM file of the CA that signed Temporal's server certificate (unset: the system's CAs, as for Temporal Cloud).",
    ),
  TEMPORAL_TLS_CA: z.string().optional().describe('The same CA as PEM text, instead of a file.'),
  TEMPORAL_TLS_CERT_FILE: z
    .string()
    .optional()
    .describe('Mutual TLS: PEM file of the client certificate (with `TEMPORAL_TLS_KEY_FILE`).'),
  TEMPORAL_TLS_CERT: z
    .string()
    .optional()
    .describe('Mutual TLS: the client certificate as PEM text, instead of a file.'),
  TEMPORAL_TLS_KEY_FILE: z
    .string()
    .optional()
    .describe("Mutual TLS: PEM file of the client certificate's private key."),
  TEMPORAL_TLS_KEY: z
    .string()
    .optional()
    .describe("Mutual TLS: the client certificate's private key as PEM text (a secret)."),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .optional()
    .describe(
      "The name Temporal's certificate is checked against (and sent as SNI), when it is not the host of `TEMPORAL_ADDRESS`.",
    ),
  TEMPORAL_API_KEY: z
    .string()
    .optional()
    .describe(
      'API key for Temporal Cloud or a cluster that checks one (sent as `Authorization: Bearer`; a secret, never logged).',
    ),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .min(1)
    .default('cw-integration')
    .describe(
      'Task queue of scheduled work (the lifecycle workflows and their syncs); the worker polls it.',
    ),
  TEMPORAL_INTERACTIVE_TASK_QUEUE: z
    .string()
    .min(1)
    .default('cw-interactive')
    .describe(
      'Task queue of work a person waits for (Test Connection); polled by its own worker in the same process, so a busy sync never delays it.',
    ),
  TEMPORAL_TICKET_TASK_QUEUE: z
    .string()
    .min(1)
    .default('cw-tickets')
    .describe(
      "Task queue of the ticket workflows' activities; polled by its own worker in the same process, so a billing run never takes a ticket's slots (nor the reverse).",
    ),
  SYNC_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(40)
    .describe(
      'Activities the worker runs at once on the scheduled-work task queue (billing batches and ticket steps; they mostly wait on ConnectWise, whose calls each integration bounds itself).',
    ),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(2000)
    .describe(
      "Workflows the worker keeps in memory between tasks (each integration's lifecycle, running billing runs and open ticket events; one evicted is replayed at its next report, which cost bench:tickets a fifth of the worker's CPU at 500); set, not derived from the heap limit as the SDK's default is.",
    ),
  TICKET_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Activities the worker runs at once on the ticket task queue.'),
  SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(25)
    .describe(
      "On SIGTERM: how long the API finishes the requests in flight (it takes no new ones) and the worker lets its activities finish before cancelling them (heartbeating ones see the cancellation; Temporal retries the attempt elsewhere). Keep it under the orchestrator's own grace (Kubernetes' default is 30 s).",
    ),
  INTAKE_MAX_BACKLOG: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(20_000)
    .describe(
      'Accepted event reports the API may hold before they reach Temporal; past it, posts are answered 429 with Retry-After.',
    ),
  METRICS_HOST: z
    .string()
    .default('127.0.0.1')
    .describe('Where the /metrics listeners bind (0.0.0.0 for a Prometheus on another host).'),
  API_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe("The API process's Prometheus /metrics port; unset: not served."),
  WORKER_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe("The worker's Prometheus /metrics port (the engine's metrics); unset: not served."),
  WORKER_SDK_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe(
      "The Temporal SDK's own Prometheus exporter in the worker (task slots, polls, latencies); unset: off.",
    ),
  // OpenTelemetry's own variables, read by its SDK (observability/tracing.ts) before this schema
  // is: here so a bad value stops the process with the others, and so the README lists them.
  OTEL_TRACES_EXPORTER: z
    .string()
    .regex(
      /^\s*(otlp|console|none)\s*(,\s*(otlp|console|none)\s*)*$/i,
      'must be otlp, console or none (a comma list)',
    )
    .optional()
    .describe(
      'OpenTelemetry tracing (README, "Tracing"): `otlp` exports spans over OTLP/HTTP (JSON), `console` prints them, `none` turns tracing off; unset = on only when an OTLP endpoint is set.',
    ),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'Where spans go over OTLP/HTTP, e.g. http://localhost:4318 (the exporter posts to `/v1/traces` there; `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` gives the full URL instead). Set, tracing is on; unset with no exporter named, tracing is off and nothing of OpenTelemetry is loaded.',
    ),
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .optional()
    .describe("The spans' `service.name`; unset = `cw-engine-api` / `cw-engine-worker`."),
  OTEL_SDK_DISABLED: z
    .string()
    .regex(/^(true|false)$/i, 'must be true or false')
    .optional()
    .describe('`true` turns tracing off whatever else is set.'),
  INTAKE_MAX_IN_FLIGHT: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(32)
    .describe(
      'Event posts and resolves one API process works on at once; one more is answered 429 with Retry-After at once instead of waiting behind them.',
    ),
  INTERACTIVE_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Activities the worker runs at once on the interactive task queue.'),
  TEST_CONNECTION_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(60)
    .describe(
      'How long Test Connection waits for ConnectWise, retries included, before answering 504.',
    ),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/cw_engine')
    .describe('MongoDB (or FerretDB) connection string, including the database name.'),
  ENCRYPTION_KEY: base64Key.describe(
    'AES-256 key (base64, 32 bytes) for secrets at rest and Temporal payloads.',
  ),
  ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only, at most 32')
    .default('k1')
    .describe('Id stored beside each ciphertext so keys can be rotated.'),
  ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .regex(
      /^([A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)*$/,
      'must be a comma list of id:base64key',
    )
    .optional()
    .describe('Older keys (`id:base64,id:base64`) that still decrypt during a key rotation.'),
  SYNC_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360)
    .describe('Period of the scheduled billing sync of each integration, in minutes.'),
  BILLING_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(400)
    .describe(
      'Days the billing audit trail (one record per addition change a run made or attempted) is kept; older records are removed (a TTL index, and each billing run prunes).',
    ),
  TEMPORAL_UI_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "The Temporal UI's base URL (e.g. http://localhost:8233): a sync run's detail then links to its workflow history there; unset = no link.",
    ),
  TEMPORAL_UI_CODEC_ORIGINS: z
    .string()
    .regex(
      /^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/,
      'must be a comma list of origins like http://localhost:8080',
    )
    .optional()
    .describe(
      "Temporal UI origins allowed to call the API's /codec/decode (to read encrypted histories, secrets redacted); unset = endpoint off.",
    ),
  TEMPORAL_UI_CODEC_JWKS_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "JWKS of the identity provider the Temporal UI signs in with: /codec/decode then accepts only the UI user's OIDC access token signed by it. Required when the API is not on loopback.",
    ),
  TEMPORAL_UI_CODEC_JWT_ISSUER: z
    .string()
    .min(1)
    .optional()
    .describe('The `iss` the codec requires in those tokens (the identity provider).'),
  TEMPORAL_UI_CODEC_JWT_AUDIENCE: z
    .string()
    .min(1)
    .optional()
    .describe('The `aud` the codec requires in those tokens (the API the access token is for).'),
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
  CW_CLIENT_ID: z
    .string()
    .uuid('must be the ConnectWise clientId GUID from developer.connectwise.com/ClientID')
    .describe("The engine's ConnectWise `clientId` (a GUID); shared by all partners."),
  CW_API_VERSION: z
    .string()
    .regex(/^\d{4}\.\d+$/, 'must look like 2025.8')
    .default('2025.8')
    .describe('ConnectWise API model version pinned in the Accept header.'),
  WORKFLOW_BUNDLE_PATH: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Prebundled workflow code (`npm run build` writes dist/workflow-bundle.js, and beside it workflow-bundle.tracing.js, which the worker loads instead when tracing is on); unset = bundle at start.',
    ),
  CW_WRITE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(900_000)
    .default(300_000)
    .describe(
      'How long a ConnectWise write may take (ConnectWise has taken minutes). A create whose answer was lost is looked up again only after this, so it is never made twice.',
    ),
  CW_ALLOW_PRIVATE_HOSTS: bool
    .default(false)
    .describe(
      'Allow ConnectWise sites on plain http and private or loopback addresses (the simulator). Never in production.',
    ),
});

export type Config = z.infer<typeof configSchema>;
