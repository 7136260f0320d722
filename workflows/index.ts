// The workflow bundle's entry point: every workflow the worker runs is exported here.
export { integrationLifecycle } from './lifecycle';
export { testConnectionWorkflow } from './test-connection';
export { billingRunWorkflow } from './billing-run';
export { billingPreviewWorkflow } from './billing-preview';
export { ticketWorkflow } from './ticket';
export { ticketWatchWorkflow } from './ticket-watch';
export { webhookDeliveryWorkflow } from './webhook-delivery';
