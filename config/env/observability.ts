import { z } from 'zod';

/** Metrics listeners and OpenTelemetry tracing. Part of config/schema.ts. */

/** The Prometheus /metrics listeners. */
export const metrics = {
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
};

/**
 * OpenTelemetry's own variables, read by its SDK (observability/tracing.ts) before this schema
 * is: here so a bad value stops the process with the others, and so the README lists them.
 */
export const tracing = {
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
};
