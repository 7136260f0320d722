// First: tracing (when OTEL_* turns it on) must patch `http` before express loads (api/tracing.ts).
import { apiGauges } from './metrics-gauges';
import { stopTracing } from './tracing';
import { serveMetrics } from '../observability/metrics';
import { temporalClientInterceptors } from '../observability/temporal-tracing';
import type { Server } from 'node:http';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { connectDatabase, createRepositories, pingDatabase } from '../db';
import { keyringFromConfig } from '../security';
import { createTemporalClient, pingTemporal } from '../temporal/connection';
import { createApp } from './app';
import { codecRouter } from './codec';
import { consoleDistDir, consoleRouter } from './console';
import { codecAuthorizer } from './codec-auth';
import { TicketIntake } from '../services/tickets/intake';
import { TicketClient } from '../services/tickets/ticket-client';
import { TicketWatchClient } from '../services/tickets/watch-client';
import { callbackRouter } from './connectwise-callbacks';
import { hostedRouter } from './hosted/connectwise-tab';
import { createV1Router } from './v1';
import {
  describeTemporalConnection,
  temporalConnectionOptions,
} from '../temporal/connection-options';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api', format: config.LOG_FORMAT });
  const keyring = keyringFromConfig(config);
  // Tracing on: a request, the workflow it starts and its activities are one trace.
  const temporal = createTemporalClient(config, keyring, temporalClientInterceptors());
  const db = await connectDatabase({ uri: config.MONGODB_URI });
  const repos = await createRepositories(db, { ...config, logger });
  // Accepted event reports go to Temporal from here (and what a stopped API left, from any).
  const intake = new TicketIntake({
    repos,
    tickets: new TicketClient(temporal, config),
    logger,
    maxBacklog: config.INTAKE_MAX_BACKLOG,
    maxInFlight: config.INTAKE_MAX_IN_FLIGHT,
  }).start();
  const app = createApp({
    logger,
    ...(config.INSTANCE_ID ? { instance: config.INSTANCE_ID } : {}),
    checks: [
      { name: 'temporal', check: () => pingTemporal(temporal) },
      { name: 'database', check: () => pingDatabase(db) },
    ],
    v1: createV1Router({ config, temporal, repos, keyring, logger, intake }),
    hosted: hostedRouter({ repos, config }),
    callbacks: callbackRouter({
      repos,
      watch: new TicketWatchClient(temporal, config),
      logger,
      allowPrivateHosts: config.CW_ALLOW_PRIVATE_HOSTS,
    }),
    console: consoleRouter({
      distDir: consoleDistDir(),
      frameableCustomerPages: config.NODE_ENV !== 'production',
    }),
    codec: config.TEMPORAL_UI_CODEC_ORIGINS
      ? codecRouter(keyring, {
          allowedOrigins: config.TEMPORAL_UI_CODEC_ORIGINS.split(','),
          // The Temporal UI user's OIDC access token, or (loopback only) the listener itself.
          authorize: codecAuthorizer(config),
        })
      : undefined,
  });
  if (config.API_METRICS_PORT) {
    apiGauges(repos);
    await serveMetrics(config.METRICS_HOST, config.API_METRICS_PORT);
    logger.info(
      { url: `http://${config.METRICS_HOST}:${config.API_METRICS_PORT}/metrics` },
      'api metrics listening',
    );
  }
  const server: Server = app.listen(config.PORT, config.HOST, () => {
    logger.info(
      {
        url: `http://${config.HOST}:${config.PORT}`,
        temporal: describeTemporalConnection(temporalConnectionOptions(config)),
      },
      'api listening',
    );
  });

  // SIGTERM: no new connection is taken and idle ones are closed; requests in flight finish (for
  // SHUTDOWN_GRACE_SECONDS at most), then the intake's held reports go back to the outbox for
  // another process, and the process exits.
  const shutdown = (signal: string) => {
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'api shutting down');
    server.close(() => {
      void intake
        .stop()
        .finally(() => Promise.allSettled([db.close(), temporal.connection.close(), stopTracing()]))
        .then(() => {
          logger.info('api stopped');
          process.exit(0);
        });
    });
    setTimeout(() => {
      logger.warn('requests still in flight after the shutdown grace; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
