import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond, type Condition } from '../conditions';
import { assertId, idSegment } from '../ids';
import { parseInput } from '../input';
import { parsePatch, type TypedPatchOperation } from '../patch';
import {
  additionPatchSchema,
  additionSchema,
  newAdditionSchema,
  type Addition,
  type AdditionPatchValues,
  type NewAddition,
} from '../schemas/agreement';

/** The only addition fields the engine changes; the MSP owns the rest (docs/connectwise.md §4). */
export type AdditionPatchField = keyof AdditionPatchValues;
/** e.g. `replace('cancelledDate', periodEnd)`: a Date goes out as `yyyy-MM-ddTHH:mm:ssZ`. */
export type AdditionPatch = TypedPatchOperation<AdditionPatchValues>;

const path = (agreementId: number) => `/finance/agreements/${idSegment(agreementId)}/additions`;

export async function listAdditions(
  client: ConnectWiseClient,
  agreementId: number,
  filter: { conditions?: Condition } = {},
  options?: RequestOptions,
): Promise<Addition[]> {
  return await client.listAll(
    path(agreementId),
    additionSchema,
    { conditions: filter.conditions },
    options,
  );
}

/**
 * Additions for one product that are not cancelled as of `now`: the lookup that keeps one
 * addition per product per agreement (docs/connectwise.md §8.2). More than one result is a conflict.
 */
export async function findOpenAdditionsForProduct(
  client: ConnectWiseClient,
  agreementId: number,
  productId: number,
  now: Date,
  options?: RequestOptions,
): Promise<Addition[]> {
  const conditions = cond.and(
    cond.eq('product/id', assertId(productId)),
    cond.or(cond.isNull('cancelledDate'), cond.gt('cancelledDate', now)),
  );
  return await listAdditions(client, agreementId, { conditions }, options);
}

/** Inquire probe for additions (docs/connectwise.md §6). */
export async function countAdditions(
  client: ConnectWiseClient,
  agreementId: number,
  options?: RequestOptions,
): Promise<number> {
  return await client.count(path(agreementId), {}, options);
}

/** Not idempotent: after an ambiguous failure, look up before creating again. */
export async function createAddition(
  client: ConnectWiseClient,
  agreementId: number,
  addition: NewAddition,
  options?: RequestOptions,
): Promise<Addition> {
  const body = parseInput(newAdditionSchema, addition, 'agreement addition');
  return await client.create(path(agreementId), additionSchema, body, options);
}

export async function patchAddition(
  client: ConnectWiseClient,
  agreementId: number,
  additionId: number,
  operations: readonly AdditionPatch[],
  options?: RequestOptions,
): Promise<Addition> {
  const checked = parsePatch(additionPatchSchema, operations, 'agreement addition');
  return await client.patch(
    `${path(agreementId)}/${idSegment(additionId)}`,
    additionSchema,
    checked,
    options,
  );
}
