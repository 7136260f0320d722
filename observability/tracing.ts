import type { Attributes, AttributeValue, Context } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type {
  ReadableSpan,
  Span as SdkSpan,
  SpanProcessor,
  TimedEvent,
} from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import { isSecretName } from '../config/secret-names';

/**
 * OpenTelemetry tracing of each process: off unless the standard OTEL_* variables ask for it, and
 * then the OpenTelemetry Node SDK with the HTTP (incoming and `http` outgoing) and undici
 * (ConnectWise calls) instrumentations, exporting over OTLP/HTTP (JSON). The Temporal interceptors
 * that carry a trace from the API through workflows to activities are `temporal-tracing.ts`.
 *
 * Off, nothing of the SDK is loaded: every OpenTelemetry package is required inside
 * `startTracing`, after the check. Every span passes through `RedactingSpanProcessor` before it is
 * exported: query parameters with secret names, attributes with secret names, and whatever the
 * process's own `redact` hides (the API: the callback token and the hosted tab's install token,
 * as its logs do) never leave the process. Headers and bodies are never recorded.
 */

/** What tracing hides a secret with, as the logs do. */
const HIDDEN = '\u2026';

/** True when the OTEL_* variables ask for traces (OTEL_SDK_DISABLED=true and `none` win). */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = exporterNames(env);
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())
  );
}

const exporterNames = (env: NodeJS.ProcessEnv): string[] =>
  (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');

/** Query parameters whose names are secret (config/secret-names.ts): their values hidden. */
export function redactSecretParams(text: string): string {
  return text.replace(/([?&])([^=&#\s]+)=([^&#\s]*)/g, (all, sep: string, name: string) =>
    isSecretName(name) ? `${sep}${name}=${HIDDEN}` : all,
  );
}

type Redact = (text: string) => string;

function redactValue(
  value: AttributeValue | undefined,
  redact: Redact,
): AttributeValue | undefined {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value))
    return value.map((v: unknown) => (typeof v === 'string' ? redact(v) : v)) as AttributeValue;
  return value;
}

function redactAttributes(attributes: Attributes, redact: Redact): Attributes {
  const shown: Attributes = {};
  for (const [key, value] of Object.entries(attributes))
    shown[key] = isSecretName(key) ? HIDDEN : redactValue(value, redact);
  return shown;
}

/**
 * The span as it may be exported: its name, attributes, events (exceptions: message and stack)
 * and status message redacted. A view over the span (its prototype), so everything else (ids,
 * times, resource) is the span's own.
 */
function redactedSpan(span: ReadableSpan, redact: Redact): ReadableSpan {
  const events: TimedEvent[] = span.events.map((event) => ({
    ...event,
    name: redact(event.name),
    ...(event.attributes ? { attributes: redactAttributes(event.attributes, redact) } : {}),
  }));
  const status =
    span.status.message === undefined
      ? span.status
      : { ...span.status, message: redact(span.status.message) };
  return Object.create(span, {
    name: { value: redact(span.name), enumerable: true },
    attributes: { value: redactAttributes(span.attributes, redact), enumerable: true },
    events: { value: events, enumerable: true },
    status: { value: status, enumerable: true },
  }) as ReadableSpan;
}

/**
 * Hands each ended span, redacted, to the exporting processors: query parameters with secret
 * names always, and what `redact` hides (the process's own secrets).
 */
export class RedactingSpanProcessor implements SpanProcessor {
  private readonly redact: Redact;

  constructor(
    private readonly next: SpanProcessor[],
    redact: Redact = (text) => text,
  ) {
    this.redact = (text) => redact(redactSecretParams(text));
  }

  onStart(span: SdkSpan, parentContext: Context): void {
    for (const processor of this.next) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const shown = redactedSpan(span, this.redact);
    for (const processor of this.next) processor.onEnd(shown);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.next.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.next.map((processor) => processor.shutdown()));
  }
}

/** What the Temporal interceptors need to export workflow spans like every other span. */
export interface ActiveTracing {
  /** The redacting processor every span goes through. */
  spanProcessor: SpanProcessor;
  resource: Resource;
}

let active: ActiveTracing | undefined;

/** The process's tracing, when `startTracing` started it. */
export const activeTracing = (): ActiveTracing | undefined => active;

export type StopTracing = () => Promise<void>;

export interface TracingOptions {
  /** Hides what only this process knows to be secret (e.g. tokens in its URL paths). */
  redact?: Redact;
}

/** Probes and scrapes every few seconds would drown the traces (the logs skip them too). */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const segments = (path: string): string[] => path.split('/').filter((part) => part !== '');

/**
 * An Express request's route template (`/v1/partners/:partnerId/…`), once a route took it: its
 * router's mount (`baseUrl`) and the route's path, as the request metrics label it. An error that
 * left the router for the app's error handler has reset `baseUrl`; the mount is then the URL's
 * first segments (mounts are literal paths here).
 */
function expressRoute(request: unknown): string | undefined {
  const { route, baseUrl, originalUrl } = request as {
    route?: { path?: unknown };
    baseUrl?: unknown;
    originalUrl?: unknown;
  };
  if (typeof route?.path !== 'string') return undefined;
  let mount = typeof baseUrl === 'string' ? baseUrl : '';
  if (mount === '' && typeof originalUrl === 'string') {
    const path = segments(originalUrl.split('?')[0]!);
    const depth = path.length - segments(route.path).length;
    if (depth > 0) mount = `/${path.slice(0, depth).join('/')}`;
  }
  return `${mount}${route.path}`;
}

// Loaded only when tracing is on: a process without it pays nothing (see startTracing).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <M>(name: string): M => require(name) as M;

/**
 * Starts tracing when the OTEL_* variables ask for it (`tracingEnabled`); otherwise loads nothing
 * and returns a stop that does nothing. Call it before anything requires `http`, `express` or
 * `undici`: the HTTP instrumentation patches `http` as it is required (the entry points import
 * `api/tracing.ts` / `worker/tracing.ts` first for that reason). The SDK reads the rest of the
 * standard variables itself (OTEL_EXPORTER_OTLP_*, OTEL_TRACES_SAMPLER, OTEL_BSP_*,
 * OTEL_RESOURCE_ATTRIBUTES); OTEL_SERVICE_NAME overrides `defaultServiceName`.
 *
 * The stop flushes what is buffered, then takes the SDK out of the process (instrumentations
 * unpatched, global tracer provider, context manager and propagator removed).
 */
export function startTracing(
  defaultServiceName: string,
  options: TracingOptions = {},
): StopTracing {
  if (!tracingEnabled() || active) return () => Promise.resolve();

  const otel = load<typeof import('@opentelemetry/api')>('@opentelemetry/api');
  const { NodeSDK } = load<typeof import('@opentelemetry/sdk-node')>('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = load<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
    '@opentelemetry/exporter-trace-otlp-http',
  );
  const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = load<
    typeof import('@opentelemetry/sdk-trace-base')
  >('@opentelemetry/sdk-trace-base');
  const resources = load<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
  const { HttpInstrumentation } = load<typeof import('@opentelemetry/instrumentation-http')>(
    '@opentelemetry/instrumentation-http',
  );
  const { UndiciInstrumentation } = load<typeof import('@opentelemetry/instrumentation-undici')>(
    '@opentelemetry/instrumentation-undici',
  );

  const exporters: SpanProcessor[] = [];
  const names = exporterNames(process.env);
  for (const name of names.length > 0 ? names : ['otlp']) {
    // OTLP over HTTP with JSON bodies: what Jaeger and the OpenTelemetry Collector take on :4318.
    if (name === 'otlp') exporters.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    else if (name === 'console') exporters.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    else
      process.stderr.write(
        `tracing: OTEL_TRACES_EXPORTER=${name} is not supported (otlp, console)\n`,
      );
  }
  if (exporters.length === 0) return () => Promise.resolve();
  const protocol =
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol.trim() !== 'http/json')
    process.stderr.write(`tracing: spans are sent as http/json, not ${protocol}\n`);

  const spanProcessor = new RedactingSpanProcessor(exporters, options.redact);
  // Resolved here rather than by the SDK, so workflow spans (exported through a sink, not the
  // SDK's tracer) carry the same resource. OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
  const resource = resources.Resource.default()
    .merge(new resources.Resource({ 'service.name': defaultServiceName }))
    .merge(
      resources.detectResourcesSync({
        detectors: [
          resources.hostDetectorSync,
          resources.processDetectorSync,
          resources.envDetectorSync,
        ],
      }),
    );
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!),
      // Express sets the route as it handles the request; the server span is named after it.
      applyCustomAttributesOnSpan: (span, request) => {
        const route = expressRoute(request);
        if (!route) return;
        span.setAttribute('http.route', route);
        span.updateName(`${(request as IncomingMessage).method ?? 'GET'} ${route}`);
      },
    }),
    new UndiciInstrumentation(),
  ];
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    instrumentations,
    // Traces only: no OpenTelemetry log records (logs are pino's) and no log exporter.
    logRecordProcessors: [],
  });
  sdk.start();
  active = { spanProcessor, resource };

  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      for (const instrumentation of instrumentations) instrumentation.disable();
      try {
        await sdk.shutdown();
      } finally {
        active = undefined;
        otel.trace.disable();
        otel.context.disable();
        otel.propagation.disable();
      }
    })());
}
