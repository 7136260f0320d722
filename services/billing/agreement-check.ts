import {
  agreementsById,
  evaluateAgreement,
  type Agreement,
  type ConnectWiseClient,
} from '../../connectwise';
import type { SkippedAgreement } from '../../domain/billing/run';

/** A customer's billing agreement, as the billing settings choose it. */
export interface AgreementChoice {
  customerId: string;
  agreementId: number;
}

/** A choice whose customer is mapped: the agreement must belong to that company. */
export interface MappedChoice extends AgreementChoice {
  companyId: number;
}

export interface CheckedChoices {
  eligible: MappedChoice[];
  skipped: SkippedAgreement[];
}

/** The checked choices and every agreement read (the chosen ones and `alsoRead`). */
export interface CheckedAgreements extends CheckedChoices {
  agreements: ReadonlyMap<number, Agreement>;
}

const skip = (
  c: AgreementChoice,
  reason: string,
  problem?: SkippedAgreement['problem'],
): SkippedAgreement => ({
  customerId: c.customerId,
  agreementId: c.agreementId,
  reason,
  ...(problem ? { problem } : {}),
});

/**
 * The checks that need no ConnectWise call: the customer must be mapped to a company (not
 * excluded), and no agreement may be chosen for two customers (their usage would overwrite each
 * other's additions). Pure.
 */
export function mappedChoices(
  choices: readonly AgreementChoice[],
  companyOf: ReadonlyMap<string, number | null>,
): { candidates: MappedChoice[]; skipped: SkippedAgreement[] } {
  const customersOf = new Map<number, string[]>();
  for (const c of choices) {
    customersOf.set(c.agreementId, [...(customersOf.get(c.agreementId) ?? []), c.customerId]);
  }
  const candidates: MappedChoice[] = [];
  const skipped: SkippedAgreement[] = [];
  for (const c of choices) {
    const companyId = companyOf.get(c.customerId);
    const sharing = customersOf.get(c.agreementId) ?? [];
    if (companyId === undefined) {
      skipped.push(skip(c, `customer ${c.customerId} is not mapped to a ConnectWise company`));
    } else if (companyId === null) {
      skipped.push(skip(c, `customer ${c.customerId} is excluded from ConnectWise`));
    } else if (sharing.length > 1) {
      skipped.push(
        skip(
          c,
          `agreement ${c.agreementId} is chosen for customers ${sharing.join(', ')}: each customer needs its own agreement`,
        ),
      );
    } else candidates.push({ ...c, companyId });
  }
  return { candidates, skipped };
}

const INELIGIBLE = 'agreement_ineligible';

const ownerOf = ({ company }: Agreement): string => {
  if (company.id == null) return 'no company';
  const name = company.name ?? company.identifier;
  return `company ${company.id}${name ? ` (${name})` : ''}`;
};

/**
 * Tenant safety, per agreement as ConnectWise has it now: it still exists, still belongs to the
 * company the customer is mapped to, and is still a recurring agreement usage may be billed
 * through on `today` (connectwise/agreement-eligibility.ts). Pure.
 */
export function judgeAgreements(
  candidates: readonly MappedChoice[],
  agreements: ReadonlyMap<number, Agreement>,
  today: string,
): CheckedChoices {
  const result: CheckedChoices = { eligible: [], skipped: [] };
  for (const c of candidates) {
    const agreement = agreements.get(c.agreementId);
    if (!agreement) {
      result.skipped.push(
        skip(c, `agreement ${c.agreementId} no longer exists in ConnectWise`, INELIGIBLE),
      );
      continue;
    }
    if (agreement.company.id !== c.companyId) {
      result.skipped.push(
        skip(
          c,
          `agreement ${c.agreementId} now belongs to ${ownerOf(agreement)}, not to company ${c.companyId} that customer ${c.customerId} is mapped to`,
          INELIGIBLE,
        ),
      );
      continue;
    }
    const eligibility = evaluateAgreement(agreement, today);
    if (!eligibility.eligible) {
      result.skipped.push(skip(c, `agreement ${c.agreementId}: ${eligibility.reason}`, INELIGIBLE));
      continue;
    }
    result.eligible.push(c);
  }
  return result;
}

/**
 * Both checks, reading every candidate agreement (and `alsoRead`: agreements the ledger has
 * additions on) in `id in (…)` requests of 100 (`concurrency` at once). The billing day may still be on its way: it is needed only once the agreements are read.
 */
export async function checkAgreementChoices(
  client: ConnectWiseClient,
  choices: readonly AgreementChoice[],
  companyOf: ReadonlyMap<string, number | null>,
  today: string | PromiseLike<string>,
  options: { signal?: AbortSignal; concurrency?: number; alsoRead?: readonly number[] } = {},
): Promise<CheckedAgreements> {
  const { candidates, skipped } = mappedChoices(choices, companyOf);
  const ids = [...new Set([...candidates.map((c) => c.agreementId), ...(options.alsoRead ?? [])])];
  const agreements = await agreementsById(client, ids, options);
  const judged = judgeAgreements(candidates, agreements, await today);
  return { eligible: judged.eligible, skipped: [...skipped, ...judged.skipped], agreements };
}
