import { z } from 'zod';
import { bool } from './values';

/**
 * Temporal: the frontend the engine connects to, its task queues, the Temporal UI that reads
 * encrypted histories, the workflow bundle. Part of config/schema.ts.
 */

/** The Temporal frontend and how to reach it (TLS, API key). */
export const temporalConnection = {
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
};

/** The task queues the worker polls. */
export const taskQueues = {
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
};

/** The Temporal UI: its links and its calls to /codec/decode. */
export const temporalUi = {
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
};

/** The prebundled workflow code. */
export const workflowBundle = {
  WORKFLOW_BUNDLE_PATH: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Prebundled workflow code (`npm run build` writes dist/workflow-bundle.js, and beside it workflow-bundle.tracing.js, which the worker loads instead when tracing is on); unset = bundle at start.',
    ),
};
