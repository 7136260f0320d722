import { decideTenantChange, type TenantIdentity } from '../../domain/tenant';

const na: TenantIdentity = { apiOrigin: 'https://api-na.myconnectwise.net', companyId: 'acme' };

test('the same origin and Company ID, in any case, is the same tenant (a codebase move included)', () => {
  const same = { apiOrigin: 'https://API-NA.myconnectwise.net/', companyId: ' ACME ' };
  expect(decideTenantChange(na, same, undefined)).toEqual({ kind: 'unchanged' });
  expect(decideTenantChange(na, same, 'reset')).toEqual({ kind: 'unchanged' });
});

test('another Company ID is another tenant: refused unless reset, even when "same_tenant" is claimed', () => {
  const other = { ...na, companyId: 'globex' };
  for (const choice of [undefined, 'same_tenant'] as const) {
    const d = decideTenantChange(na, other, choice);
    expect(d.kind).toBe('refused');
    expect(d.kind === 'refused' && d.message).toMatch(/from acme at .* to globex at .*"reset"/);
  }
  expect(decideTenantChange(na, other, 'reset')).toEqual({ kind: 'reset', from: na, to: other });
});

test('the same Company ID at another origin needs the partner to say which it is', () => {
  const moved = { apiOrigin: 'https://cw.example.com', companyId: 'acme' };
  const refused = decideTenantChange(na, moved, undefined);
  expect(refused.kind).toBe('refused');
  expect(refused.kind === 'refused' && refused.message).toMatch(/"same_tenant".*"reset"/);
  expect(decideTenantChange(na, moved, 'same_tenant')).toEqual({
    kind: 'same_tenant',
    from: na,
    to: moved,
  });
  expect(decideTenantChange(na, moved, 'reset').kind).toBe('reset');
});
