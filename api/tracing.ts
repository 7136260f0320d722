/**
 * The API's OpenTelemetry tracing, when the OTEL_* variables ask for it (observability/
 * tracing.ts). api/main.ts imports this module first: the HTTP instrumentation patches `http` as
 * modules require it, so it must be in place before express is loaded (a `--require` preload
 * would do the same, but every way the API is started, Docker, the dev stack, tests, would have to
 * pass it). So this module imports only what tracing needs: no express, no database.
 */
import { startTracing } from '../observability/tracing';
import { redactRequestUrl } from './request-urls';

// Span names and attributes hide the tokens in request URLs as the request log does.
export const stopTracing = startTracing('cw-engine-api', { redact: redactRequestUrl });
