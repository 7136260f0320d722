import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** workflows/ bundled with webpack, as every worker of a process (and the production build) runs it. */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // Must match the worker's data converter, which the bundle cannot learn later.
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
}
