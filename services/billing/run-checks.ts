/**
 * What a billing run notices besides billing, for health issues: approvals pending too long, and
 * mapped companies ConnectWise deleted or renamed.
 */
import { companiesById, isConnectWiseError, type ConnectWiseClient } from '../../connectwise';
import type { BillingApproval } from '../../db';
import type { PreparedRun } from '../../domain/billing/run';
import { checkAgreementChoices } from './agreement-check';

/** Approvals still pending after `hours`: each is a health issue (domain/health/issues.ts). */
export function overdueOf(
  approvals: readonly BillingApproval[],
  hours: number,
  now: Date,
): Pick<PreparedRun, 'overdueApprovals'> {
  const limit = now.getTime() - hours * 3_600_000;
  const overdue = approvals
    .filter((a) => a.status === 'pending' && a.createdAt.getTime() < limit)
    .map((a) => ({
      customerId: a.customerId,
      agreementId: a.agreementId,
      since: a.createdAt.toISOString(),
    }));
  return overdue.length > 0 ? { overdueApprovals: overdue } : {};
}

/**
 * Mapped companies ConnectWise no longer has (or has in its recycle bin), with the customers
 * mapped to them: one read per hundred companies. A read that fails (a refusal, an outage) says
 * why it could not check, and the run goes on.
 */
export async function deletedCompaniesOf(
  client: ConnectWiseClient,
  mappings: ReadonlyArray<{
    customerId: string;
    companyId: number | null;
    companyName?: string | null;
  }>,
  options: { signal?: AbortSignal },
): Promise<NonNullable<PreparedRun['deletedCompanies']> | { unchecked: string }> {
  const customersOf = new Map<number, { name: string; customers: string[] }>();
  for (const m of mappings) {
    if (m.companyId === null) continue;
    const entry = customersOf.get(m.companyId) ?? { name: m.companyName ?? '', customers: [] };
    entry.customers.push(m.customerId);
    customersOf.set(m.companyId, entry);
  }
  if (customersOf.size === 0) return [];
  let found: Awaited<ReturnType<typeof companiesById>>;
  try {
    found = await companiesById(client, [...customersOf.keys()], options);
  } catch (err) {
    // A side check: it never fails the run; unread, it says nothing (nor resolves anything).
    if (options.signal?.aborted) throw err;
    return { unchecked: isConnectWiseError(err) ? err.message : String(err) };
  }
  return [...customersOf]
    .filter(([id]) => {
      const company = found.get(id);
      return !company || company.deletedFlag === true;
    })
    .map(([companyId, { name, customers }]) => ({
      companyId,
      name,
      customers: customers.sort(),
    }));
}

/**
 * Mapped companies ConnectWise now names differently than when they were mapped (seen on the
 * chosen agreements the run read): each is a health issue until the mapping is saved again.
 */
export function renamedOf(
  checked: Awaited<ReturnType<typeof checkAgreementChoices>>,
  mappedNames: ReadonlyMap<number, string>,
): Pick<PreparedRun, 'renamedCompanies'> {
  const renamed = new Map<number, { companyId: number; was: string; now: string }>();
  for (const agreement of checked.agreements.values()) {
    const { id, name } = agreement.company;
    const was = id == null ? undefined : mappedNames.get(id);
    if (id == null || !was || !name || name === was) continue;
    renamed.set(id, { companyId: id, was, now: name });
  }
  return renamed.size > 0 ? { renamedCompanies: [...renamed.values()] } : {};
}
