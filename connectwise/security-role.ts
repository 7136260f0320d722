import type { SecurityLevel } from './schemas/common';
import type { MySecurity, MySecurityCustomizeItem } from './schemas/system';

/**
 * The ConnectWise security role the engine needs (DESIGN.md, from the vendor's setup guide), as
 * data. Identifier strings are our best knowledge and the simulator uses the same ones; rows are
 * matched by identifiers first and by moduleFunctionName as a fallback (docs/connectwise.md §6, verify).
 */
export type RoleOperation = 'add' | 'edit' | 'delete' | 'inquire';
export type RoleLevels = Record<RoleOperation, SecurityLevel>;

/** A read-only call whose 403 proves the Inquire level is missing. Never creates anything. */
export interface RoleProbe {
  /** `count` → GET {path}/count; `firstPage` → GET {path}?pageSize=1. */
  method: 'count' | 'firstPage';
  path: string;
  /** What the engine needs the read for, named in the problem when ConnectWise refuses it. */
  purpose?: string;
}

export interface CustomizeRequirement {
  identifier: string;
  name: string;
}

export interface SecurityRoleLine {
  key: string;
  label: string;
  moduleIdentifier: string;
  moduleFunctionIdentifier: string;
  moduleFunctionName: string;
  required: RoleLevels;
  customizeItems: readonly CustomizeRequirement[];
  probes: readonly RoleProbe[];
}

const N = 'None';
const A = 'All';
const levels = (
  add: SecurityLevel,
  edit: SecurityLevel,
  del: SecurityLevel,
  inquire: SecurityLevel,
): RoleLevels => ({
  add,
  edit,
  delete: del,
  inquire,
});
const count = (path: string): RoleProbe => ({ method: 'count', path });

export const REQUIRED_SECURITY_ROLE: readonly SecurityRoleLine[] = [
  {
    key: 'companies.companyMaintenance',
    label: 'Companies → Company Maintenance',
    moduleIdentifier: 'Companies',
    moduleFunctionIdentifier: 'CompanyMaintenance',
    moduleFunctionName: 'Company Maintenance',
    required: levels(N, N, N, A),
    customizeItems: [],
    probes: [count('/company/companies')],
  },
  {
    key: 'finance.agreements',
    label: 'Finance → Agreements',
    moduleIdentifier: 'Finance',
    moduleFunctionIdentifier: 'Agreements',
    moduleFunctionName: 'Agreements',
    required: levels(A, A, N, A),
    customizeItems: [],
    probes: [count('/finance/agreements')],
  },
  {
    key: 'procurement.productCatalog',
    label: 'Procurement → Product Catalog',
    moduleIdentifier: 'Procurement',
    moduleFunctionIdentifier: 'ProductCatalog',
    moduleFunctionName: 'Product Catalog',
    required: levels(A, A, A, A),
    customizeItems: [],
    probes: [count('/procurement/catalog')],
  },
  {
    key: 'procurement.products',
    label: 'Procurement → Products',
    moduleIdentifier: 'Procurement',
    moduleFunctionIdentifier: 'Products',
    moduleFunctionName: 'Products',
    required: levels(A, N, N, A),
    customizeItems: [],
    probes: [],
  },
  {
    key: 'project.projectTicketDependencies',
    label: 'Project → Project Ticket - Dependencies',
    moduleIdentifier: 'Project',
    moduleFunctionIdentifier: 'ProjectTicketDependencies',
    moduleFunctionName: 'Project Ticket - Dependencies',
    required: levels(N, N, N, A),
    customizeItems: [],
    probes: [],
  },
  {
    key: 'project.projectTickets',
    label: 'Project → Project Tickets',
    moduleIdentifier: 'Project',
    moduleFunctionIdentifier: 'ProjectTickets',
    moduleFunctionName: 'Project Tickets',
    required: levels(N, N, N, A),
    customizeItems: [],
    probes: [count('/project/tickets')],
  },
  {
    key: 'serviceDesk.closeServiceTickets',
    label: 'Service Desk → Close Service Tickets',
    moduleIdentifier: 'ServiceDesk',
    moduleFunctionIdentifier: 'CloseServiceTickets',
    moduleFunctionName: 'Close Service Tickets',
    required: levels(N, A, N, A),
    customizeItems: [],
    probes: [],
  },
  {
    key: 'serviceDesk.serviceTickets',
    label: 'Service Desk → Service Tickets',
    moduleIdentifier: 'ServiceDesk',
    moduleFunctionIdentifier: 'ServiceTickets',
    moduleFunctionName: 'Service Tickets',
    required: levels(A, A, N, A),
    customizeItems: [],
    probes: [count('/service/tickets')],
  },
  {
    key: 'system.tableSetup',
    label: 'System → Table Setup',
    moduleIdentifier: 'System',
    moduleFunctionIdentifier: 'TableSetup',
    moduleFunctionName: 'Table Setup',
    required: levels(A, A, A, A),
    customizeItems: [{ identifier: 'SystemManageHostedApi', name: 'Manage Hosted API' }],
    probes: [
      { method: 'firstPage', path: '/service/boards' },
      count('/system/connectwisehostedsetups'),
      // Ticket callbacks (docs/connectwise.md §7b): a 403 here means tickets are followed by polling only.
      {
        method: 'firstPage',
        path: '/system/callbacks',
        purpose:
          'ticket callbacks cannot be managed: changes a technician makes reach the engine only by polling',
      },
    ],
  },
];

export type RoleLineStatus = 'ok' | 'missing' | 'unverified';

export interface RoleLineEvaluation {
  key: string;
  label: string;
  required: RoleLevels;
  granted: RoleLevels;
  status: 'ok' | 'missing';
  /** In words for the MSP, e.g. "Finance → Agreements: Add is None, needs All". */
  problems: string[];
}

const RANK: Record<SecurityLevel, number> = { None: 0, My: 1, All: 2 };
const OPERATIONS: readonly RoleOperation[] = ['add', 'edit', 'delete', 'inquire'];
const OPERATION_WORDS: Record<RoleOperation, string> = {
  add: 'Add',
  edit: 'Edit',
  delete: 'Delete',
  inquire: 'Inquire',
};

const same = (a: string | null | undefined, b: string) =>
  (a ?? '').trim().toLowerCase() === b.toLowerCase();

function findRow(rows: readonly MySecurity[], line: SecurityRoleLine): MySecurity | undefined {
  return (
    rows.find(
      (r) =>
        same(r.moduleIdentifier, line.moduleIdentifier) &&
        same(r.moduleFunctionIdentifier, line.moduleFunctionIdentifier),
    ) ?? rows.find((r) => same(r.moduleFunctionName, line.moduleFunctionName))
  );
}

function hasCustomizeItem(
  items: readonly MySecurityCustomizeItem[],
  need: CustomizeRequirement,
): boolean {
  return items.some(
    (i) =>
      same(i.customizeIdentifier, need.identifier) ||
      same(i.itemIdentifier, need.identifier) ||
      same(i.itemIdentifier, need.name),
  );
}

/**
 * Compares the member's `/system/mySecurity` rows and customize items with the required role.
 * A line with no matching row counts as None everywhere. Pure: no I/O.
 */
export function evaluateRole(
  rows: readonly MySecurity[],
  customizeItems: readonly MySecurityCustomizeItem[],
  lines: readonly SecurityRoleLine[] = REQUIRED_SECURITY_ROLE,
): RoleLineEvaluation[] {
  return lines.map((line) => {
    const row = findRow(rows, line);
    const granted: RoleLevels = {
      add: row?.addLevel ?? 'None',
      edit: row?.editLevel ?? 'None',
      delete: row?.deleteLevel ?? 'None',
      inquire: row?.inquireLevel ?? 'None',
    };
    const problems = OPERATIONS.filter((op) => RANK[granted[op]] < RANK[line.required[op]]).map(
      (op) => `${line.label}: ${OPERATION_WORDS[op]} is ${granted[op]}, needs ${line.required[op]}`,
    );
    for (const need of line.customizeItems) {
      if (!hasCustomizeItem(customizeItems, need)) {
        problems.push(
          `${line.label}: customization "${need.name}" is not granted, needs to be granted`,
        );
      }
    }
    return {
      key: line.key,
      label: line.label,
      required: line.required,
      granted,
      status: problems.length ? 'missing' : 'ok',
      problems,
    };
  });
}

export interface RoleProbeResult {
  lineKey: string;
  probe: RoleProbe;
  outcome: 'ok' | 'refused' | 'failed';
  /** For `refused`/`failed`: the ConnectWise error message. */
  message?: string;
}

export interface RoleLineCheck {
  key: string;
  label: string;
  required: RoleLevels;
  /** Undefined when `/system/mySecurity` could not be read. */
  granted: RoleLevels | undefined;
  status: RoleLineStatus;
  problems: string[];
}

const probePath = (p: RoleProbe) =>
  p.method === 'count' ? `${p.path}/count` : `${p.path}?pageSize=1`;

/**
 * Merges the mySecurity evaluation (authoritative for Add/Edit/Delete; null when ConnectWise
 * refused it) with the probe results (proof of Inquire), per docs/connectwise.md §6: a refused probe makes
 * a line missing; what nothing could confirm is unverified. Pure.
 */
export function combineRoleChecks(
  evaluation: readonly RoleLineEvaluation[] | null,
  probes: readonly RoleProbeResult[],
  lines: readonly SecurityRoleLine[] = REQUIRED_SECURITY_ROLE,
): RoleLineCheck[] {
  return lines.map((line) => {
    const evaluated = evaluation?.find((e) => e.key === line.key);
    const mine = probes.filter((p) => p.lineKey === line.key);
    const problems = [...(evaluated?.problems ?? [])];
    for (const p of mine) {
      if (p.outcome === 'refused')
        problems.push(
          `${line.label}: ConnectWise refused the read-only check ${probePath(p.probe)}${
            p.probe.purpose ? ` (${p.probe.purpose})` : ''
          }`,
        );
      if (p.outcome === 'failed')
        problems.push(
          `${line.label}: the read-only check ${probePath(p.probe)} failed (${p.message ?? 'error'})`,
        );
    }
    const refused = mine.some((p) => p.outcome === 'refused');
    const failed = mine.some((p) => p.outcome === 'failed');
    let status: RoleLineStatus;
    if (refused || evaluated?.status === 'missing') status = 'missing';
    else if (failed) status = 'unverified';
    else if (evaluated) status = 'ok';
    else {
      // Without mySecurity only Inquire can be proven, and only where a probe exists.
      const inquireOnly = OPERATIONS.every(
        (op) => op === 'inquire' || line.required[op] === 'None',
      );
      status = inquireOnly && mine.length > 0 ? 'ok' : 'unverified';
      if (status === 'unverified') {
        problems.push(
          `${line.label}: could not be verified because ConnectWise refused to show the member's security settings`,
        );
      }
    }
    return {
      key: line.key,
      label: line.label,
      required: line.required,
      granted: evaluated?.granted,
      status,
      problems,
    };
  });
}
