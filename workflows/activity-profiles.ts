import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Every activity's timeouts and retries, by the kind of work it does, in one place. A workflow
 * takes its activities with `stepsOf(profile, taskQueue?)`: on its own task queue unless one is
 * named (the interactive queue for a preview or a Test Connection, the ticket queue for ticket
 * steps). What is past a profile's retries is the workflow's to decide (hold and try later, fail
 * the run), so each profile says what gives up first.
 */
export const ACTIVITY_PROFILES = {
  /**
   * Billing's ConnectWise work: heartbeats prove progress on long batches; 5xx, 429 and network
   * failures retry with backoff; a 401 or a missing integration is non-retryable and ends the run.
   */
  billing: {
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      backoffCoefficient: 2,
      maximumAttempts: 6,
    },
  },
  /** A run's row in the sync history: bounded (about 20 minutes), so a database outage cannot wedge a run or the lifecycle's loop. */
  syncRunRecord: {
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '1 minute',
      backoffCoefficient: 2,
      maximumAttempts: 25,
    },
  },
  /** The lifecycle's periodic access check: bounded, a ConnectWise outage fails this check and the next period tries again. */
  accessCheck: {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      backoffCoefficient: 2,
      maximumAttempts: 5,
    },
  },
  /**
   * Test Connection: a person is waiting (the caller adds `scheduleToCloseTimeout`, their wait);
   * a dead worker shows within seconds and a cancellation reaches the ConnectWise request; only
   * transient ConnectWise failures (5xx, 429, network) reach a retry.
   */
  connectionTest: {
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
  },
  /**
   * Ticket work in ConnectWise: a few quick retries for 5xx, 429 and network failures; past them
   * the ticket workflow holds the step and tries again later, so an outage of any length loses
   * nothing. A create can take minutes in ConnectWise (docs/connectwise.md §3).
   */
  ticket: {
    startToCloseTimeout: '6 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 4 },
  },
  /** The ticket watch's reads and writes: quick retries; past them the next callback or poll tries again. */
  ticketWatch: {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  },
  /** Dropping a deleted integration's keys: the database only, so it keeps trying for longer. */
  cleanup: {
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 50 },
  },
  /**
   * One pass of a webhook subscription's deliveries: a POST takes at most 10 s and a pass about a
   * minute, heartbeating between events; the step's own failure (the database down) is waited
   * out by the workflow like a receiver that fails.
   */
  webhookDelivery: {
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
  },
} as const satisfies Record<string, ActivityOptions>;

export type ActivityProfile = keyof typeof ACTIVITY_PROFILES;

/** The activities, run with a profile, on `taskQueue` when given (else the workflow's own). */
export const stepsOf = (
  profile: ActivityProfile,
  taskQueue?: string,
  more: Partial<ActivityOptions> = {},
) =>
  proxyActivities<Activities>({
    ...ACTIVITY_PROFILES[profile],
    ...more,
    ...(taskQueue ? { taskQueue } : {}),
  });

/**
 * The steps every new event takes (find or create its ticket; record what the workflow decided),
 * as local activities: run by the worker that runs the workflow, inside its workflow task, with
 * the ticket profile's retries, so a new event costs one workflow task and no activity task.
 * Their slots are the worker's local-activity slots, which billing never uses.
 */
export const LOCAL_TICKET_STEPS: LocalActivityOptions = {
  startToCloseTimeout: ACTIVITY_PROFILES.ticket.startToCloseTimeout,
  retry: ACTIVITY_PROFILES.ticket.retry,
};
export const localTicketSteps = () => proxyLocalActivities<Activities>(LOCAL_TICKET_STEPS);
