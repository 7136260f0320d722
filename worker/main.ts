// First: tracing (when OTEL_* turns it on) must patch `http` before anything else loads.
import { stopTracing } from './tracing';
import { Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { connectDatabase, createRepositories } from '../db';
import { keyringFromConfig } from '../security';
import { toTemporalLogger } from '../temporal/logger';
import { createWorkers } from './worker';
import { serveMetrics } from '../observability/metrics';
import {
  describeTemporalConnection,
  temporalConnectionOptions,
} from '../temporal/connection-options';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({
    level: config.LOG_LEVEL,
    name: 'worker',
    format: config.LOG_FORMAT,
  });
  // The Runtime turns SIGINT/SIGTERM into a graceful worker shutdown: in-flight tasks finish first.
  Runtime.install({
    logger: toTemporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    // The SDK's own metrics (task slots, polls, schedule-to-start latencies), when asked for.
    ...(config.WORKER_SDK_METRICS_PORT
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: `${config.METRICS_HOST}:${config.WORKER_SDK_METRICS_PORT}`,
              },
            },
          },
        }
      : {}),
  });
  const metricsServer = config.WORKER_METRICS_PORT
    ? await serveMetrics(config.METRICS_HOST, config.WORKER_METRICS_PORT)
    : undefined;

  const db = await connectDatabase({ uri: config.MONGODB_URI });
  const repos = await createRepositories(db, { ...config, logger });
  const keyring = keyringFromConfig(config);
  const workers = await createWorkers({
    config,
    deps: {
      repos,
      keyring,
      cw: config,
      logger,
      ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    },
    keyring,
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
  });
  logger.info(
    {
      syncTaskQueue: config.TEMPORAL_TASK_QUEUE,
      interactiveTaskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
      ticketTaskQueue: config.TEMPORAL_TICKET_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      temporal: describeTemporalConnection(temporalConnectionOptions(config)),
    },
    'workers ready',
  );
  await workers.run();
  metricsServer?.close();
  await db.close();
  await stopTracing();
  logger.info('workers stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
