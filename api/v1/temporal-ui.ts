/** Where the Temporal UI shows one workflow run, when the API knows the UI (TEMPORAL_UI_URL). */
export interface TemporalUi {
  url: string | undefined;
  namespace: string;
}

/** `<ui>/namespaces/<ns>/workflows/<workflowId>/<runId>/history`, or null without a UI URL. */
export function temporalUiLink(ui: TemporalUi, workflowId: string, runId: string): string | null {
  if (!ui.url) return null;
  const part = encodeURIComponent;
  return `${ui.url.replace(/\/+$/, '')}/namespaces/${part(ui.namespace)}/workflows/${part(workflowId)}/${part(runId)}/history`;
}

/**
 * Every run of one workflow id in the Temporal UI (a list filtered by `WorkflowId`), for a
 * workflow that continues as new or is started again under the same id.
 */
export function temporalUiWorkflowLink(ui: TemporalUi, workflowId: string): string | null {
  if (!ui.url) return null;
  const part = encodeURIComponent;
  const query = part(`WorkflowId="${workflowId}"`);
  return `${ui.url.replace(/\/+$/, '')}/namespaces/${part(ui.namespace)}/workflows?query=${query}`;
}
