import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { Config } from '../config';
import type { Keyring } from '../security';
import { createDataConverter } from './data-converter';

export type TemporalSettings = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>;

/**
 * Lazy: the API starts even while Temporal is down, and /readyz says so. `interceptors`: tracing's
 * (observability/temporal-tracing.ts), when on.
 */
export function createTemporalClient(
  config: TemporalSettings,
  keyring: Keyring,
  interceptors?: ClientInterceptors,
): Client {
  return new Client({
    connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(keyring),
    ...(interceptors ? { interceptors } : {}),
  });
}

/** Cheap round trip to the frontend, for readiness checks. */
export async function pingTemporal(client: Client): Promise<void> {
  await client.workflowService.getSystemInfo({});
}
