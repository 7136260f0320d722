import { startOfDay } from '../dates';
import { FieldErrors } from '../errors';
import type { SimRecord } from '../resources';
import type { Store } from '../store';
import { checkRecord } from '../writes';
import {
  patchRoute,
  readRoutes,
  render,
  requireParent,
  requireRecord,
  writable,
} from './collection';
import type { RequestCtx, RouteTable } from './types';

/** Fields CW computes on an addition; a PATCH may not set them. */
const COMPUTED = [
  'agreementId',
  'extPrice',
  'extCost',
  'billedQuantity',
  'margin',
  'agreementStatus',
];

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

/**
 * Defaults from the catalog item (price, cost, description, taxable) and the computed amounts:
 * ext* = quantity × unit, billedQuantity = quantity − lessIncluded.
 */
function completeAddition(
  store: Store,
  rec: SimRecord,
  agreement: SimRecord,
  errors: FieldErrors,
  isNew: boolean,
) {
  const productId = (rec.product as { id?: number } | undefined)?.id;
  const item = productId === undefined ? undefined : store.get('catalog', productId);
  if (item && isNew && item.inactiveFlag === true) {
    errors.add('InvalidField', 'product/id', `Product ${item.id} is inactive.`);
  }
  const quantity = num(rec.quantity, 1);
  const lessIncluded = num(rec.lessIncluded, 0);
  const unitPrice = num(rec.unitPrice, num(item?.price, 0));
  const unitCost = num(rec.unitCost, num(item?.cost, 0));
  const extPrice = round(quantity * unitPrice);
  const extCost = round(quantity * unitCost);
  Object.assign(rec, {
    agreementId: agreement.id,
    quantity,
    lessIncluded,
    unitPrice,
    unitCost,
    extPrice,
    extCost,
  });
  rec.margin = round(extPrice - extCost);
  rec.billedQuantity = Math.max(0, quantity - lessIncluded);
  rec.description ??= item?.description;
  rec.taxableFlag ??= item?.taxableFlag ?? false;
  rec.effectiveDate ??= startOfDay();
  rec.uom ??= 'Each';
  rec.agreementStatus = agreement.agreementStatus;
  rec.sequenceNumber ??=
    store.list('additions').filter((a) => a.agreementId === agreement.id).length + 1;
  const { cancelledDate, effectiveDate } = rec;
  if (
    typeof cancelledDate === 'string' &&
    typeof effectiveDate === 'string' &&
    cancelledDate < effectiveDate
  ) {
    errors.add('InvalidField', 'cancelledDate', 'cancelledDate cannot be before effectiveDate.');
  }
}

function saveAddition(ctx: RequestCtx, rec: SimRecord, isNew: boolean): SimRecord {
  const agreement = requireParent(ctx, 'additions') as SimRecord;
  const errors = new FieldErrors('addition');
  checkRecord(ctx.store, 'additions', rec, errors);
  completeAddition(ctx.store, rec, agreement, errors, isNew);
  errors.throwIfAny();
  return ctx.store.save('additions', rec);
}

export function financeRoutes(): RouteTable {
  return {
    ...readRoutes('/finance/agreements', 'agreements'),
    ...readRoutes('/finance/agreements/types', 'agreementTypes'),
    ...readRoutes('/finance/agreements/{parentId}/additions', 'additions'),
    'POST /finance/agreements/{parentId}/additions': {
      collection: 'additions',
      handler: (ctx) => {
        requireParent(ctx, 'additions');
        const rec = { id: ctx.store.nextId('additions'), ...writable(ctx.body, COMPUTED) };
        return { status: 201, body: render(saveAddition(ctx, rec, true)) };
      },
    },
    'PATCH /finance/agreements/{parentId}/additions/{id}': patchRoute(
      'additions',
      (ctx, patched) => saveAddition(ctx, patched, false),
      COMPUTED,
    ),
    // PUT replaces the whole record: whatever the body leaves out is reset to its default.
    'PUT /finance/agreements/{parentId}/additions/{id}': {
      collection: 'additions',
      handler: (ctx) => {
        const current = requireRecord(ctx, 'additions');
        const rec = { id: current.id, ...writable(ctx.body, COMPUTED) };
        return { status: 200, body: render(saveAddition(ctx, rec, false)) };
      },
    },
    'DELETE /finance/agreements/{parentId}/additions/{id}': {
      collection: 'additions',
      handler: (ctx) => {
        ctx.store.remove('additions', requireRecord(ctx, 'additions').id);
        return { status: 204 };
      },
    },
  };
}
