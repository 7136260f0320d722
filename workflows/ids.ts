export const lifecycleWorkflowId = (integrationId: string): string =>
  `integration:${integrationId}`;
