import { z } from 'zod';
import { decimalInt } from './decimal';
import { errorBody, partnerParams } from './schemas';

const ID = 'must be a ConnectWise id (a positive whole number)';

/** A ConnectWise record id in a JSON body: "12" there is a client bug worth reporting. */
export const cwIdInBody = z.number({ error: ID }).int(ID).positive(ID).max(2_147_483_647, ID);

/** The same id in a path or query string, where everything arrives as text. */
export const cwId = decimalInt(1, 2_147_483_647, ID);

export const boardParams = partnerParams.extend({ boardId: cwId });
export const companyParams = partnerParams.extend({ companyId: cwId });

/** The answers every route that reads ConnectWise may give (api/connectwise-errors.ts). */
export const connectWiseFailures = {
  404: { description: 'No integration, or no such record in ConnectWise', schema: errorBody },
  409: {
    description: 'ConnectWise refused the stored keys: the integration is credentials_invalid',
    schema: errorBody,
  },
  502: {
    description: 'ConnectWise refused (connectwise_permission names what) or failed',
    schema: errorBody,
  },
  503: { description: 'ConnectWise is throttling; wait for Retry-After', schema: errorBody },
};
