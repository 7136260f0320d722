import type { ConnectWiseClient, ListPage, RequestOptions } from '../client';
import { cond } from '../conditions';
import { idSegment } from '../ids';
import { fieldsOf } from '../schemas/common';
import { companySchema, type Company } from '../schemas/company';

const PATH = '/company/companies';
// Ask only for what the schema reads: company lists are the largest the setup screens load.
const FIELDS = fieldsOf(companySchema);

export interface CompanySearch {
  /** Matched anywhere in the name or identifier. */
  name?: string;
  page?: number;
  pageSize?: number;
  /** Companies in the recycle bin are hidden unless asked for (docs/connectwise.md §5). */
  includeDeleted?: boolean;
}

function filter(name: string | undefined, includeDeleted: boolean | undefined) {
  const byName =
    name !== undefined && name.trim() !== ''
      ? cond.or(
          cond.like('name', { contains: name.trim() }),
          cond.like('identifier', { contains: name.trim() }),
        )
      : undefined;
  const live = includeDeleted === true ? undefined : cond.eq('deletedFlag', false);
  return live === undefined && byName === undefined ? undefined : cond.and(live, byName);
}

/** One page of companies for a picker, ordered by name. */
export async function searchCompanies(
  client: ConnectWiseClient,
  search: CompanySearch = {},
  options?: RequestOptions,
): Promise<ListPage<Company>> {
  return await client.listPage(
    PATH,
    companySchema,
    {
      conditions: filter(search.name, search.includeDeleted),
      orderBy: 'name asc,id asc',
      fields: FIELDS,
      page: search.page ?? 1,
      pageSize: search.pageSize ?? 25,
    },
    options,
  );
}

/** Every (non-deleted) company, e.g. for mapping suggestions. */
export async function listAllCompanies(
  client: ConnectWiseClient,
  search: Pick<CompanySearch, 'name' | 'includeDeleted'> = {},
  options?: RequestOptions,
): Promise<Company[]> {
  return await client.listAll(
    PATH,
    companySchema,
    { conditions: filter(search.name, search.includeDeleted), fields: FIELDS },
    options,
  );
}

export async function getCompany(
  client: ConnectWiseClient,
  companyId: number,
  options?: RequestOptions,
): Promise<Company> {
  return await client.get(`${PATH}/${idSegment(companyId)}`, companySchema, {}, options);
}
