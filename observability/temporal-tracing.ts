import type { ClientInterceptors } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { activeTracing } from './tracing';

/**
 * Temporal's OpenTelemetry interceptors (`@temporalio/interceptors-opentelemetry`), only while
 * `startTracing` has tracing on: the client's start, signal and update calls become spans whose
 * context travels in the workflow's headers; the workflow's spans (made in its sandbox, handed out
 * through a sink) and its activities' continue that trace. So one API request, the workflow it
 * starts and the activity that calls ConnectWise are one trace. Off, nothing here loads the
 * package, and the workflow bundle has no interceptor module (it is built as before; the replay
 * tests replay it).
 */

type Interceptors = typeof import('@temporalio/interceptors-opentelemetry');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (): Interceptors => require('@temporalio/interceptors-opentelemetry') as Interceptors;

/**
 * The module bundled into the workflow code for tracing (`interceptors`: inbound, outbound and
 * internals). Resolving it loads nothing; `npm run build` prebundles a second, traced bundle with
 * it (worker/prebundle.ts).
 */
export const tracingWorkflowModules = (): string[] => [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** The Temporal client's interceptors when tracing is on. */
export function temporalClientInterceptors(): ClientInterceptors | undefined {
  if (!activeTracing()) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } = load();
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

export interface WorkerTracing {
  /** Activity interceptors: each activity a span, child of the workflow's. */
  interceptors: WorkerInterceptors;
  /** The sink the workflow interceptors export their spans through (the process's exporter). */
  sinks: InjectedSinks<import('@temporalio/interceptors-opentelemetry').OpenTelemetrySinks>;
  /** To bundle into the workflow code. */
  workflowModules: readonly string[];
}

/** What a worker adds for tracing, when tracing is on. */
export function temporalWorkerTracing(): WorkerTracing | undefined {
  const tracing = activeTracing();
  if (!tracing) return undefined;
  const otel = load();
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
    workflowModules: tracingWorkflowModules(),
  };
}
