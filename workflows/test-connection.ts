import type { ConnectionReport } from '../services/connection-report';
import type { CwCredentials } from '../services/cw-settings';
import { stepsOf } from './activity-profiles';

/**
 * Which keys to test. `typed`: keys a person just entered and that are not stored yet (before
 * create, at create, a newly typed private key); only these ever travel through Temporal, and
 * then encrypted by the payload codec. `stored`: a saved integration's keys, by id: the activity
 * loads and opens the sealed key itself, so it never enters a history.
 */
export type ConnectionToTest =
  { typed: CwCredentials } | { stored: { partnerId: string; integrationId: string } };

export type TestConnectionInput = ConnectionToTest & {
  /** How long the person waits for ConnectWise, retries included. */
  answerWithinMs: number;
  /**
   * The task queue of the activity (the interactive one), when the workflow itself runs on the
   * scheduled work's queue.
   */
  activityTaskQueue?: string;
};

/**
 * Test Connection as its own short workflow, so every test is visible in the Temporal UI; its
 * activity runs on the interactive task queue, where scheduled work never takes the slots.
 */
export async function testConnectionWorkflow(
  input: TestConnectionInput,
): Promise<ConnectionReport> {
  // A person is waiting: every attempt and retry together end within their wait.
  const { testConnection, testStoredConnection } = stepsOf(
    'connectionTest',
    input.activityTaskQueue,
    { scheduleToCloseTimeout: input.answerWithinMs },
  );
  return 'typed' in input
    ? await testConnection(input.typed)
    : await testStoredConnection(input.stored);
}
