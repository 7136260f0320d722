import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { requireTool } from '../../dev/tools';

/** The time-skipping test server, from the bootstrapped binary (it cannot be downloaded here). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTool('temporal-test-server') } },
  });
}

/**
 * The engine's search attributes on a time-skipping server, as the dev server gets them at start:
 * a server that does not know them refuses the workflows that carry them.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace,
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((key) => {
        if (key.type !== SearchAttributeType.KEYWORD) throw new Error(`${key.name}: not a keyword`);
        return [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD];
      }),
    ),
  });
}
