import { FieldErrors } from '../errors';
import type { SimRecord } from '../resources';
import { checkRecord, checkUnique } from '../writes';
import { patchRoute, readRoutes, render, writable } from './collection';
import type { RequestCtx, RouteTable } from './types';

function refId(v: unknown): number | undefined {
  return v && typeof v === 'object' ? (v as { id?: number }).id : undefined;
}

/** Identifier unique (ObjectExists), category follows the subcategory, defaults as CW's UI (verify). */
function saveItem(ctx: RequestCtx, rec: SimRecord): SimRecord {
  const errors = new FieldErrors('catalogItem');
  checkRecord(ctx.store, 'catalog', rec, errors);
  checkUnique(ctx.store, 'catalog', rec, 'identifier', errors);
  const sub = ctx.store.get('subcategories', refId(rec.subcategory) ?? -1);
  const subCategory = sub?.category as { id: number; name: string } | undefined;
  if (subCategory) {
    if (rec.category === undefined) rec.category = { ...subCategory };
    else if (refId(rec.category) !== subCategory.id) {
      errors.add(
        'InvalidField',
        'subcategory/id',
        `Subcategory ${sub?.id} does not belong to Category ${refId(rec.category)}.`,
      );
    }
  }
  errors.throwIfAny();
  rec.productClass ??= 'NonInventory';
  rec.inactiveFlag ??= false;
  rec.taxableFlag ??= false;
  rec.price ??= 0;
  rec.cost ??= 0;
  return ctx.store.save('catalog', rec);
}

export function procurementRoutes(): RouteTable {
  return {
    ...readRoutes('/procurement/catalog', 'catalog'),
    'POST /procurement/catalog': {
      collection: 'catalog',
      handler: (ctx) => {
        const rec = { id: ctx.store.nextId('catalog'), ...writable(ctx.body) };
        return { status: 201, body: render(saveItem(ctx, rec)) };
      },
    },
    'PATCH /procurement/catalog/{id}': patchRoute('catalog', saveItem),
    ...readRoutes('/procurement/categories', 'categories'),
    ...readRoutes('/procurement/subcategories/', 'subcategories'),
    ...readRoutes('/procurement/types', 'productTypes'),
  };
}
