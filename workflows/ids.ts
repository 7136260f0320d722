export const lifecycleWorkflowId = (integrationId: string): string =>
  `integration:${integrationId}`;
export const testConnectionWorkflowId = (partnerId: string, nonce: string): string =>
  `test-connection:${partnerId}:${nonce}`;

/**
 * One billing run: unique per lifecycle chain (its first run id survives continue-as-new; a
 * lifecycle started anew gets another) and per run within it.
 */
export const billingRunWorkflowId = (
  integrationId: string,
  lifecycleFirstRunId: string,
  seq: number,
): string => `billing-run:${integrationId}:${lifecycleFirstRunId.slice(0, 8)}.${seq}`;

/** One billing preview (a dry run a partner asked for). */
export const billingPreviewWorkflowId = (integrationId: string, nonce: string): string =>
  `billing-preview:${integrationId}:${nonce}`;
