import { noteHealth } from './health';
import { REQUIRED_SECURITY_ROLE, type ConnectWiseError } from '../connectwise';
import type { Repositories } from '../db';
import { roleLineMissing } from '../domain/health/issues';

// Which role line guards which API area, so a 403 can say what to grant (labels from the role table).
const ROLE_BY_PATH: ReadonlyArray<[prefix: string, key: string, what: string]> = [
  ['/company/', 'companies.companyMaintenance', 'companies'],
  ['/finance/', 'finance.agreements', 'agreements'],
  ['/service/tickets', 'serviceDesk.serviceTickets', 'service tickets'],
  ['/service/', 'system.tableSetup', 'service boards, statuses, sources and priorities'],
  ['/procurement/', 'procurement.productCatalog', 'the product catalog'],
  ['/project/', 'project.projectTickets', 'project tickets'],
];
const LEVEL_BY_METHOD: Record<string, string> = {
  GET: 'Inquire',
  POST: 'Add',
  PATCH: 'Edit',
  PUT: 'Edit',
  DELETE: 'Delete',
};

/** The role line a 403 names (by the refused path), the level it needed, and what it guards. */
export function refusedLine(
  err: Pick<ConnectWiseError, 'path' | 'method'>,
): { line: { key: string; label: string }; level: string; what: string } | undefined {
  const area = ROLE_BY_PATH.find(([prefix]) => err.path?.startsWith(prefix));
  const line = area && REQUIRED_SECURITY_ROLE.find((l) => l.key === area[1]);
  if (!area || !line) return undefined;
  return { line, level: LEVEL_BY_METHOD[err.method ?? 'GET'] ?? 'Inquire', what: area[2] };
}

/** What a 403 says to the partner: the area refused and the role line to grant. */
export function permissionMessage(err: Pick<ConnectWiseError, 'path' | 'method'>): string {
  const refused = refusedLine(err);
  if (!refused) {
    return 'ConnectWise refused the request: the API member\u2019s security role lacks a permission. Run Test Connection to see which.';
  }
  return `ConnectWise refused access to ${refused.what}: the API member\u2019s security role needs ${refused.line.label} ${refused.level} set to All.`;
}

/**
 * A 403 wherever it happens (a run, a look-up): the role line it names is a health issue until
 * Test Connection passes again (services/credentials-state.ts `credentialsAccepted`).
 */
export async function markRoleLineRefused(
  repos: Pick<Repositories, 'healthIssues'>,
  integration: { partnerId: string; id: string },
  err: Pick<ConnectWiseError, 'path' | 'method'>,
): Promise<void> {
  const refused = refusedLine(err);
  if (!refused) return;
  const finding = roleLineMissing(refused.line, refused.level, refused.what);
  // Scoped to this line: other refused lines stay as they are.
  await noteHealth(
    repos,
    { partnerId: integration.partnerId, integrationId: integration.id },
    { kinds: ['role_line_missing'], objects: [finding.object], by: 'a ConnectWise call' },
    [finding],
  );
}
