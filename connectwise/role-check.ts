import type { SecurityLevel } from './schemas/common';
import type { MySecurity, MySecurityCustomizeItem } from './schemas/system';
import {
  REQUIRED_SECURITY_ROLE,
  type CustomizeRequirement,
  type RoleLevels,
  type RoleOperation,
  type RoleProbe,
  type SecurityRoleLine,
} from './security-role';

/**
 * Checking an API member against the required security role (connectwise/security-role.ts): its
 * `/system/mySecurity` rows and the read-only probes, judged line by line. Pure: no I/O.
 */

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
