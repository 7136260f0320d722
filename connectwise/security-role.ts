import type { SecurityLevel } from './schemas/common';

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
