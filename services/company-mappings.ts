import { companiesById, type ConnectWiseClient } from '../connectwise';
import type { Repositories } from '../db';
import type { CompanyMapping } from '../db/repositories/company-mappings';
import type { FieldProblem } from './field-problem';

export interface MappingChoice {
  customerId: string;
  /** null excludes the customer from the integration. */
  companyId: number | null;
}

export interface CheckedMappings {
  problems: FieldProblem[];
  /** What to save when there are no problems, with each company's current name. */
  rows: CompanyMapping[];
}

/**
 * Checks a partner's mapping choices before anything is written: every customer is one the vendor
 * pushed, every company exists in ConnectWise and is not deleted. The companies are read with one
 * `id in (…)` query, not one call each.
 */
export async function checkCompanyMappings(
  deps: { client: ConnectWiseClient; repos: Pick<Repositories, 'vendor'> },
  partnerId: string,
  choices: readonly MappingChoice[],
  at = 'body.mappings',
): Promise<CheckedMappings> {
  const known = await deps.repos.vendor.existingCustomerIds(
    partnerId,
    choices.map((c) => c.customerId),
  );
  const ids = choices.flatMap((c) => (c.companyId === null ? [] : [c.companyId]));
  const companies = await companiesById(deps.client, ids);
  const problems: FieldProblem[] = [];
  const rows: CompanyMapping[] = [];
  choices.forEach((choice, i) => {
    if (!known.has(choice.customerId)) {
      problems.push({
        field: `${at}.${i}.customerId`,
        message: `unknown customer ${choice.customerId}; push it with PUT /partners/${partnerId}/customers first`,
      });
    }
    if (choice.companyId === null) {
      rows.push({ customerId: choice.customerId, companyId: null });
      return;
    }
    const company = companies.get(choice.companyId);
    const field = `${at}.${i}.companyId`;
    if (!company) {
      problems.push({ field, message: `ConnectWise company ${choice.companyId} does not exist` });
    } else if (company.deletedFlag === true) {
      problems.push({ field, message: `ConnectWise company ${choice.companyId} is deleted` });
    } else {
      rows.push({
        customerId: choice.customerId,
        companyId: company.id,
        companyName: company.name,
      });
    }
  });
  return { problems, rows };
}
