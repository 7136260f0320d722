import { CwError } from './errors';
import type { SimRecord } from './resources';
import type { Store } from './store';

export type SecurityLevel = 'None' | 'My' | 'All';
export type Access = 'add' | 'edit' | 'delete' | 'inquire';
export type SecurityLevels = Partial<Record<Access, SecurityLevel>>;

export interface RoleLine {
  /** `Module/Function`, the key the admin interface uses, e.g. `Finance/Agreements`. */
  key: string;
  moduleIdentifier: string;
  moduleFunctionIdentifier: string;
  moduleFunctionName: string;
  moduleName: string;
}

function line(module: string, fn: string, fnName: string, moduleName: string): RoleLine {
  return {
    key: `${module}/${fn}`,
    moduleIdentifier: module,
    moduleFunctionIdentifier: fn,
    moduleFunctionName: fnName,
    moduleName,
  };
}

/** The security-role lines the vendor's setup guide requires (DESIGN.md), spelled as mySecurity reports them (verify). */
export const ROLE_LINES: readonly RoleLine[] = [
  line('Companies', 'CompanyMaintenance', 'Company Maintenance', 'Companies'),
  line('Finance', 'Agreements', 'Agreements', 'Finance'),
  line('Procurement', 'ProductCatalog', 'Product Catalog', 'Procurement'),
  line('Procurement', 'Products', 'Products', 'Procurement'),
  line('Project', 'ProjectTicketDependencies', 'Project Ticket - Dependencies', 'Project'),
  line('Project', 'ProjectTickets', 'Project Tickets', 'Project'),
  line('ServiceDesk', 'CloseServiceTickets', 'Close Service Tickets', 'Service Desk'),
  line('ServiceDesk', 'ServiceTickets', 'Service Tickets', 'Service Desk'),
  line('System', 'TableSetup', 'Table Setup', 'System'),
];

export const HOSTED_API_CUSTOMIZATION = 'SystemManageHostedApi';

export interface Requirement {
  line: string;
  access: Access;
}

const ACCESS_BY_METHOD: Record<string, Access> = {
  GET: 'inquire',
  POST: 'add',
  PATCH: 'edit',
  PUT: 'edit',
  DELETE: 'delete',
};

/** Which role line each area of the API needs; the method picks the level. First prefix wins. */
const AREAS: { prefix: string; line: string | null; customize?: string; inquireOnly?: boolean }[] =
  [
    { prefix: '/company/companies', line: 'Companies/CompanyMaintenance' },
    { prefix: '/finance/agreements', line: 'Finance/Agreements' },
    { prefix: '/procurement/', line: 'Procurement/ProductCatalog' },
    { prefix: '/project/tickets', line: 'Project/ProjectTickets' },
    { prefix: '/service/tickets', line: 'ServiceDesk/ServiceTickets' },
    { prefix: '/service/', line: 'System/TableSetup' },
    {
      prefix: '/system/connectwisehostedsetups',
      line: 'System/TableSetup',
      customize: HOSTED_API_CUSTOMIZATION,
    },
    { prefix: '/system/connectWiseHostedScreens', line: 'System/TableSetup', inquireOnly: true },
    // Callbacks are set up under System > Setup Tables (verify the exact role line).
    { prefix: '/system/callbacks', line: 'System/TableSetup' },
    { prefix: '/system/', line: null },
  ];

export interface Requirements {
  lines: Requirement[];
  customize?: string;
}

/** What the calling member needs for an operation (any authenticated member for /system/info and mySecurity). */
export function requirementsFor(method: string, template: string): Requirements {
  const area = AREAS.find((a) => template.startsWith(a.prefix));
  if (!area?.line) return { lines: [] };
  const access = area.inquireOnly
    ? 'inquire'
    : (ACCESS_BY_METHOD[method.toUpperCase()] ?? 'inquire');
  return { lines: [{ line: area.line, access }], customize: area.customize };
}

const FIELD: Record<Access, string> = {
  add: 'addLevel',
  edit: 'editLevel',
  delete: 'deleteLevel',
  inquire: 'inquireLevel',
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function roleLine(key: string): RoleLine {
  const found = ROLE_LINES.find((l) => l.key.toLowerCase() === key.toLowerCase());
  if (!found)
    throw new Error(
      `unknown role line '${key}'; one of ${ROLE_LINES.map((l) => l.key).join(', ')}`,
    );
  return found;
}

function row(store: Store, key: string): SimRecord | undefined {
  const l = roleLine(key);
  return store
    .list('mySecurity')
    .find(
      (r) =>
        r.moduleIdentifier === l.moduleIdentifier &&
        r.moduleFunctionIdentifier === l.moduleFunctionIdentifier,
    );
}

/** `My` still lets the request through (CW then limits rows to the member's own, which the simulator does not model). */
export function hasAccess(store: Store, key: string, access: Access): boolean {
  const level = row(store, key)?.[FIELD[access]];
  return level === 'All' || level === 'My';
}

function securityError(detail: string): CwError {
  return new CwError(403, 'Security', `Improper security role settings. ${detail}`);
}

/** Throws CW's 403 `Security` error naming the first missing line or customization. */
export function enforce(store: Store, req: Requirements): void {
  for (const { line: key, access } of req.lines) {
    if (!hasAccess(store, key, access)) {
      const l = roleLine(key);
      throw securityError(
        `${capitalise(access)} level for ${l.moduleName} > ${l.moduleFunctionName} must not be None.`,
      );
    }
  }
  if (
    req.customize &&
    !store.list('customizeItems').some((c) => c.customizeIdentifier === req.customize)
  ) {
    throw securityError(`The customization ${req.customize} is not granted to this member.`);
  }
}

export function setLevels(store: Store, key: string, levels: SecurityLevels): SimRecord {
  const l = roleLine(key);
  const existing = row(store, key);
  const record: SimRecord = existing ?? {
    id: store.nextId('mySecurity'),
    moduleIdentifier: l.moduleIdentifier,
    moduleFunctionIdentifier: l.moduleFunctionIdentifier,
    moduleFunctionName: l.moduleFunctionName,
    moduleName: l.moduleName,
    addLevel: 'None',
    editLevel: 'None',
    deleteLevel: 'None',
    inquireLevel: 'None',
    member: { ...store.member },
  };
  for (const [access, level] of Object.entries(levels) as [Access, SecurityLevel][]) {
    if (!FIELD[access]) throw new Error(`unknown access '${access}'`);
    record[FIELD[access]] = level;
  }
  return store.save('mySecurity', record);
}

export function revoke(store: Store, key: string): SimRecord {
  return setLevels(store, key, { add: 'None', edit: 'None', delete: 'None', inquire: 'None' });
}

/** Removes a customize item by id or by its customizeIdentifier; returns how many went. */
export function revokeCustomizeItem(store: Store, idOrIdentifier: number | string): number {
  const doomed = store
    .list('customizeItems')
    .filter((c) => c.id === Number(idOrIdentifier) || c.customizeIdentifier === idOrIdentifier);
  for (const c of doomed) store.remove('customizeItems', c.id);
  return doomed.length;
}
