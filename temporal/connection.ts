import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { Config } from '../config';
import type { Keyring } from '../security';
import { temporalConnectionOptions, type TemporalConnectionSettings } from './connection-options';
import { createDataConverter } from './data-converter';

export type TemporalSettings = TemporalConnectionSettings & Pick<Config, 'TEMPORAL_NAMESPACE'>;

/**
 * Lazy: the API starts even while Temporal is down, and /readyz says so. Secured as configured
 * (TLS, mutual TLS, an API key: connection-options.ts). `interceptors`: tracing's
 * (observability/temporal-tracing.ts), when on.
 */
export function createTemporalClient(
  config: TemporalSettings,
  keyring: Keyring,
  interceptors?: ClientInterceptors,
): Client {
  return new Client({
    connection: Connection.lazy(temporalConnectionOptions(config)),
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(keyring),
    ...(interceptors ? { interceptors } : {}),
  });
}

/** Cheap round trip to the frontend, for readiness checks. */
export async function pingTemporal(client: Client): Promise<void> {
  await client.workflowService.getSystemInfo({});
}
