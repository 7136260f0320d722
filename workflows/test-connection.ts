import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ConnectionReport } from '../services/connection-report';
import type { CwCredentials } from '../services/cw-settings';

const { testConnection } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // Only transient ConnectWise failures (5xx, 429, network) reach a retry; a partner is waiting.
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * Test Connection as its own short workflow, so every test is visible in the Temporal UI. The
 * credentials in its input and history are ciphertext (payload codec).
 */
export async function testConnectionWorkflow(creds: CwCredentials): Promise<ConnectionReport> {
  return await testConnection(creds);
}
