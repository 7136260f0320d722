/**
 * The worker's OpenTelemetry tracing, when the OTEL_* variables ask for it (observability/
 * tracing.ts). worker/main.ts imports this module first, so the HTTP instrumentation is in place
 * before anything else is loaded (a `--require` preload would do the same, but every way the
 * worker is started, Docker, the dev stack and the bench, would have to pass it). Nothing else
 * may be imported here.
 */
import { startTracing } from '../observability/tracing';

export const stopTracing = startTracing('cw-engine-worker');
