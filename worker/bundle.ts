import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * workflows/ bundled with webpack, as every worker of a process (and the production build) runs it.
 * `interceptorModules`: workflow interceptor modules to bundle with it (tracing's, when on); none,
 * the bundle is the one the replay tests check.
 */
export async function bundleWorkflows(
  interceptorModules: readonly string[] = [],
): Promise<WorkflowBundle> {
  return await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // Must match the worker's data converter, which the bundle cannot learn later.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(interceptorModules.length > 0
      ? { workflowInterceptorModules: [...interceptorModules] }
      : {}),
  });
}

/** Where `npm run build` puts the bundle with tracing's interceptors, beside the plain one. */
export const tracedBundlePath = (bundlePath: string): string =>
  `${bundlePath.replace(/\.js$/, '')}.tracing.js`;
