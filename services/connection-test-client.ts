import { randomUUID } from 'node:crypto';
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  WorkflowFailedError,
  type Client,
} from '@temporalio/client';
import type { Config } from '../config';
import type { ConnectionReport } from './connection-report';
import { callTemporal } from '../temporal/unavailable';
import { asServiceError, notFound, ServiceError } from './errors';
import type { testConnectionWorkflow } from '../workflows';
import { FailureType } from '../workflows/failure-types';
import { testConnectionWorkflowId } from '../workflows/ids';
import { PartnerIdKey, SyncKindKey } from '../workflows/search-attributes';
import type { ConnectionToTest } from '../workflows/test-connection';

export type ConnectionTestConfig = Pick<
  Config,
  'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_INTERACTIVE_TASK_QUEUE' | 'TEST_CONNECTION_TIMEOUT_SECONDS'
>;

/** What the workflow gets beyond ConnectWise's share of the wait: time for a worker to pick it up. */
const ENGINE_MARGIN_MS = 30_000;

const engineDidNotRun = () =>
  new ServiceError(
    'unavailable',
    'engine_unavailable',
    'the engine did not run the test in time; try again in a minute',
  );

/** The activity's failure, in words for the person who pressed Test Connection. */
function activityFailure(failure: ActivityFailure, seconds: number): ServiceError {
  const cause = failure.cause;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'HEARTBEAT')
    return engineDidNotRun();
  if (cause instanceof TimeoutFailure || failure.retryState === 'TIMEOUT') {
    return new ServiceError(
      'upstream_timeout',
      'connectwise_timeout',
      `ConnectWise did not answer within ${seconds} s; try again in a minute`,
    );
  }
  switch (cause instanceof ApplicationFailure ? cause.type : undefined) {
    case FailureType.integrationNotFound:
      return notFound('ConnectWise integration');
    case FailureType.credentialsMissing:
      return new ServiceError('conflict', 'no_credentials', 'enter the private key again');
    case FailureType.secretUnavailable:
      return new ServiceError(
        'conflict',
        'credentials_unreadable',
        "the stored private key cannot be decrypted with the engine's encryption keys; enter the private key again",
      );
    default:
      return new ServiceError(
        'upstream',
        'connectwise_unavailable',
        'ConnectWise did not answer reliably; try again in a minute',
      );
  }
}

function testFailure(err: unknown, seconds: number): unknown {
  if (!(err instanceof WorkflowFailedError)) return asServiceError(err);
  if (err.cause instanceof ActivityFailure) return activityFailure(err.cause, seconds);
  if (err.cause instanceof TimeoutFailure) return engineDidNotRun();
  return err;
}

/**
 * Runs Test Connection as a workflow for a person who waits: the workflow on the engine's task
 * queue (one workflow worker per process), its activity on the interactive queue.
 */
export class ConnectionTestClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: ConnectionTestConfig,
  ) {}

  async run(partnerId: string, connection: ConnectionToTest): Promise<ConnectionReport> {
    const seconds = this.config.TEST_CONNECTION_TIMEOUT_SECONDS;
    const answerWithinMs = seconds * 1000;
    try {
      const handle = await callTemporal(this.temporal, () =>
        this.temporal.workflow.start<typeof testConnectionWorkflow>('testConnectionWorkflow', {
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          workflowId: testConnectionWorkflowId(partnerId, randomUUID()),
          args: [
            {
              ...connection,
              answerWithinMs,
              activityTaskQueue: this.config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
            },
          ],
          // With no worker polling, say so soon after ConnectWise's share of the wait.
          workflowExecutionTimeout: answerWithinMs + ENGINE_MARGIN_MS,
          typedSearchAttributes: [
            { key: PartnerIdKey, value: partnerId },
            { key: SyncKindKey, value: 'validation' },
          ],
        }),
      );
      return await handle.result();
    } catch (err) {
      throw testFailure(err, seconds);
    }
  }
}
