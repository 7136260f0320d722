import { z } from 'zod';
import { requestCapacity, workerCapacity } from './env/capacity';
import { billing, connectWiseApp, connectWiseCalls } from './env/connectwise';
import { metrics, tracing } from './env/observability';
import { publicAddresses, runtime } from './env/runtime';
import { storage } from './env/storage';
import { taskQueues, temporalConnection, temporalUi, workflowBundle } from './env/temporal';

/**
 * Every environment variable the engine reads. The README's configuration table is generated from
 * this schema (`npm run config:table`) and a test keeps the two in step. Its sections live in
 * config/env/; they are spread here in the order of the table.
 */
export const configSchema = z.object({
  ...runtime,
  ...temporalConnection,
  ...taskQueues,
  ...workerCapacity,
  ...metrics,
  ...tracing,
  ...requestCapacity,
  ...storage,
  ...billing,
  ...temporalUi,
  ...publicAddresses,
  ...connectWiseApp,
  ...workflowBundle,
  ...connectWiseCalls,
});

export type Config = z.infer<typeof configSchema>;
