import { z } from 'zod';

/** How much work a process takes on at once, and how long it waits. Part of config/schema.ts. */

/** The worker's slots and cache, the shutdown grace, the intake backlog. */
export const workerCapacity = {
  SYNC_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(40)
    .describe(
      'Activities the worker runs at once on the scheduled-work task queue (billing batches and ticket steps; they mostly wait on ConnectWise, whose calls each integration bounds itself).',
    ),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(2000)
    .describe(
      "Workflows the worker keeps in memory between tasks (each integration's lifecycle, running billing runs and open ticket events; one evicted is replayed at its next report, which cost bench:tickets a fifth of the worker's CPU at 500); set, not derived from the heap limit as the SDK's default is.",
    ),
  TICKET_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Activities the worker runs at once on the ticket task queue.'),
  SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(25)
    .describe(
      "On SIGTERM: how long the API finishes the requests in flight (it takes no new ones) and the worker lets its activities finish before cancelling them (heartbeating ones see the cancellation; Temporal retries the attempt elsewhere). Keep it under the orchestrator's own grace (Kubernetes' default is 30 s).",
    ),
  INTAKE_MAX_BACKLOG: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(20_000)
    .describe(
      'Accepted event reports the API may hold before they reach Temporal; past it, posts are answered 429 with Retry-After.',
    ),
};

/** Requests the API works on at once, the interactive worker, Test Connection's wait. */
export const requestCapacity = {
  INTAKE_MAX_IN_FLIGHT: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(32)
    .describe(
      'Event posts and resolves one API process works on at once; one more is answered 429 with Retry-After at once instead of waiting behind them.',
    ),
  INTERACTIVE_WORKER_MAX_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Activities the worker runs at once on the interactive task queue.'),
  TEST_CONNECTION_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(60)
    .describe(
      'How long Test Connection waits for ConnectWise, retries included, before answering 504.',
    ),
};
