import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { assertId, idSegment } from '../ids';
import {
  agreementSchema,
  agreementTypeSchema,
  type Agreement,
  type AgreementType,
} from '../schemas/agreement';
import { fieldsOf } from '../schemas/common';

const PATH = '/finance/agreements';
const FIELDS = fieldsOf(agreementSchema);

export interface AgreementsByCompanyOptions {
  /** Cancelled agreements are left out unless asked for. */
  includeCancelled?: boolean;
}

/** A company's agreements; pair with evaluateAgreement to show which can be mapped. */
export async function listAgreementsByCompany(
  client: ConnectWiseClient,
  companyId: number,
  filter: AgreementsByCompanyOptions = {},
  options?: RequestOptions,
): Promise<Agreement[]> {
  const conditions = cond.and(
    cond.eq('company/id', assertId(companyId)),
    filter.includeCancelled === true ? undefined : cond.eq('cancelledFlag', false),
  );
  return await client.listAll(PATH, agreementSchema, { conditions, fields: FIELDS }, options);
}

export async function getAgreement(
  client: ConnectWiseClient,
  agreementId: number,
  options?: RequestOptions,
): Promise<Agreement> {
  return await client.get(`${PATH}/${idSegment(agreementId)}`, agreementSchema, {}, options);
}

export async function listAgreementTypes(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<AgreementType[]> {
  return await client.listAll(`${PATH}/types`, agreementTypeSchema, {}, options);
}
