import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTool } from '../../dev/tools';

/** The time-skipping test server, from the bootstrapped binary (it cannot be downloaded here). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTool('temporal-test-server') } },
  });
}
