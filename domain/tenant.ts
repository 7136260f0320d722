/**
 * Which ConnectWise tenant an integration talks to. Company mappings, board and status ids and
 * agreement ids all point into one tenant; they mean nothing, or something else, in another.
 * Pure: the API origin comes from connectwise/site.ts parseSite, which needs no network.
 */
export interface TenantIdentity {
  /** The resolved API origin, e.g. `https://api-na.myconnectwise.net`. */
  apiOrigin: string;
  /** The ConnectWise login Company ID. */
  companyId: string;
}

/**
 * What the partner chose for a change of tenant: `reset` clears mappings and settings;
 * `same_tenant` says the same tenant now answers at another address (a renamed on-premise host)
 * and keeps them.
 */
export type TenantChangeChoice = 'reset' | 'same_tenant';

export type TenantDecision =
  | { kind: 'unchanged' }
  | { kind: 'refused'; message: string }
  | { kind: 'reset' | 'same_tenant'; from: TenantIdentity; to: TenantIdentity };

const normalize = (t: TenantIdentity): TenantIdentity => ({
  apiOrigin: t.apiOrigin.toLowerCase().replace(/\/+$/, ''),
  companyId: t.companyId.trim().toLowerCase(),
});

/**
 * The tenant key ledger entries, approvals and run snapshots carry: origin, Company ID and the
 * integration's tenant epoch (raised by every reset), so even a reset back to the same tenant
 * never writes from what was decided before it.
 */
export const tenantKeyOf = (t: TenantIdentity, epoch: number): string => {
  const n = normalize(t);
  return `${n.apiOrigin}|${n.companyId}|${epoch}`;
};

/** The tenant a stored integration was last validated against (its resolved API origin). */
export function tenantOfRecord(i: {
  site: string;
  companyId: string;
  lastValidation?: unknown;
}): TenantIdentity {
  const report = i.lastValidation as { site?: { apiOrigin?: string } } | undefined;
  return { apiOrigin: report?.site?.apiOrigin ?? i.site, companyId: i.companyId };
}

const describe = (t: TenantIdentity) => `${t.companyId} at ${t.apiOrigin}`;

/**
 * Whether changing from `current` to `next` keeps the tenant. A codebase move keeps the origin,
 * so it is no change at all. Another Company ID is another tenant whatever the address: only a
 * reset allows it. The same Company ID at another origin may be the same tenant (a renamed
 * host) or another one: the partner must say which.
 */
export function decideTenantChange(
  current: TenantIdentity,
  next: TenantIdentity,
  choice: TenantChangeChoice | undefined,
): TenantDecision {
  const [a, b] = [normalize(current), normalize(next)];
  if (a.apiOrigin === b.apiOrigin && a.companyId === b.companyId) return { kind: 'unchanged' };
  const change = `this changes the ConnectWise tenant from ${describe(current)} to ${describe(next)}`;
  if (choice === 'reset') return { kind: 'reset', from: current, to: next };
  if (a.companyId !== b.companyId) {
    return {
      kind: 'refused',
      message: `${change}; company mappings and settings point into the old tenant, so send tenantChange "reset" to clear them`,
    };
  }
  if (choice === 'same_tenant') return { kind: 'same_tenant', from: current, to: next };
  return {
    kind: 'refused',
    message: `${change}; send tenantChange "same_tenant" if the same tenant moved to this address (mappings and settings are kept), or "reset" to clear them`,
  };
}
