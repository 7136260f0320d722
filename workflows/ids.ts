export const lifecycleWorkflowId = (integrationId: string): string =>
  `integration:${integrationId}`;
export const testConnectionWorkflowId = (partnerId: string, nonce: string): string =>
  `test-connection:${partnerId}:${nonce}`;
