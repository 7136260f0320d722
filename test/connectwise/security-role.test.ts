import {
  combineRoleChecks,
  evaluateRole,
  REQUIRED_SECURITY_ROLE,
  type MySecurity,
  type MySecurityCustomizeItem,
  type RoleProbeResult,
} from '../../connectwise';

function fullRole(): MySecurity[] {
  return REQUIRED_SECURITY_ROLE.map((line, i) => ({
    id: i + 1,
    moduleIdentifier: line.moduleIdentifier,
    moduleFunctionIdentifier: line.moduleFunctionIdentifier,
    moduleFunctionName: line.moduleFunctionName,
    addLevel: 'All',
    editLevel: 'All',
    deleteLevel: 'All',
    inquireLevel: 'All',
  }));
}
const hostedApi: MySecurityCustomizeItem[] = [
  { id: 1, customizeIdentifier: 'SystemManageHostedApi', itemIdentifier: 'ManageHostedApi' },
];

describe('the required role table', () => {
  it('has the nine lines of DESIGN.md with their levels', () => {
    const table = Object.fromEntries(
      REQUIRED_SECURITY_ROLE.map((l) => [l.label, Object.values(l.required).join('/')]),
    );
    expect(table).toEqual({
      'Companies → Company Maintenance': 'None/None/None/All',
      'Finance → Agreements': 'All/All/None/All',
      'Procurement → Product Catalog': 'All/All/All/All',
      'Procurement → Products': 'All/None/None/All',
      'Project → Project Ticket - Dependencies': 'None/None/None/All',
      'Project → Project Tickets': 'None/None/None/All',
      'Service Desk → Close Service Tickets': 'None/All/None/All',
      'Service Desk → Service Tickets': 'All/All/None/All',
      'System → Table Setup': 'All/All/All/All',
    });
  });
});

describe('evaluateRole', () => {
  it('passes a role that grants everything', () => {
    const result = evaluateRole(fullRole(), hostedApi);
    expect(result.every((l) => l.status === 'ok' && l.problems.length === 0)).toBe(true);
  });

  it('names each missing level in words', () => {
    const rows = fullRole().map((r) =>
      r.moduleFunctionIdentifier === 'Agreements'
        ? { ...r, addLevel: 'None' as const, editLevel: 'My' as const }
        : r,
    );
    const agreements = evaluateRole(rows, hostedApi).find(
      (l) => l.label === 'Finance → Agreements',
    );
    expect(agreements).toMatchObject({
      status: 'missing',
      granted: { add: 'None', edit: 'My', delete: 'All', inquire: 'All' },
    });
    expect(agreements?.problems).toEqual([
      'Finance → Agreements: Add is None, needs All',
      'Finance → Agreements: Edit is My, needs All',
    ]);
  });

  it('treats an absent row and null levels as None', () => {
    const rows = fullRole()
      .filter((r) => r.moduleFunctionIdentifier !== 'ProductCatalog')
      .map((r) =>
        r.moduleFunctionIdentifier === 'CompanyMaintenance' ? { ...r, inquireLevel: null } : r,
      );
    const result = evaluateRole(rows, hostedApi);
    expect(result.find((l) => l.key === 'procurement.productCatalog')?.problems).toHaveLength(4);
    expect(result.find((l) => l.key === 'companies.companyMaintenance')?.problems).toEqual([
      'Companies → Company Maintenance: Inquire is None, needs All',
    ]);
  });

  it('does not require more than the table asks', () => {
    const rows = fullRole().map((r) =>
      r.moduleFunctionIdentifier === 'CompanyMaintenance'
        ? {
            ...r,
            addLevel: 'None' as const,
            editLevel: 'None' as const,
            deleteLevel: 'None' as const,
          }
        : r,
    );
    expect(
      evaluateRole(rows, hostedApi).find((l) => l.key === 'companies.companyMaintenance')?.status,
    ).toBe('ok');
  });

  it('falls back to moduleFunctionName when identifiers differ', () => {
    const rows = fullRole().map((r) => ({
      ...r,
      moduleIdentifier: 'X',
      moduleFunctionIdentifier: 'Y',
    }));
    expect(evaluateRole(rows, hostedApi).every((l) => l.status === 'ok')).toBe(true);
  });

  it('requires the Manage Hosted API customization on Table Setup', () => {
    const tableSetup = evaluateRole(fullRole(), []).find((l) => l.key === 'system.tableSetup');
    expect(tableSetup?.status).toBe('missing');
    expect(tableSetup?.problems).toEqual([
      'System → Table Setup: customization "Manage Hosted API" is not granted, needs to be granted',
    ]);
  });
});

describe('combineRoleChecks', () => {
  const probe = (lineKey: string, outcome: RoleProbeResult['outcome']): RoleProbeResult => ({
    lineKey,
    probe: { method: 'count', path: '/x' },
    outcome,
    message: outcome === 'ok' ? undefined : 'nope',
  });

  it('marks a line missing when its probe is refused, even if mySecurity says All', () => {
    const result = combineRoleChecks(evaluateRole(fullRole(), hostedApi), [
      probe('finance.agreements', 'refused'),
    ]);
    const line = result.find((l) => l.key === 'finance.agreements');
    expect(line?.status).toBe('missing');
    expect(line?.problems[0]).toMatch(/refused the read-only check \/x\/count/);
    expect(result.filter((l) => l.status === 'ok')).toHaveLength(8);
  });

  it('without mySecurity: probed inquire-only lines ok, the rest unverified', () => {
    const result = combineRoleChecks(null, [
      probe('companies.companyMaintenance', 'ok'),
      probe('finance.agreements', 'ok'),
    ]);
    const status = Object.fromEntries(result.map((l) => [l.key, l.status]));
    expect(status['companies.companyMaintenance']).toBe('ok');
    expect(status['finance.agreements']).toBe('unverified');
    expect(status['procurement.products']).toBe('unverified');
  });

  it('a failed (not refused) probe leaves the line unverified', () => {
    const result = combineRoleChecks(evaluateRole(fullRole(), hostedApi), [
      probe('serviceDesk.serviceTickets', 'failed'),
    ]);
    expect(result.find((l) => l.key === 'serviceDesk.serviceTickets')?.status).toBe('unverified');
  });
});
