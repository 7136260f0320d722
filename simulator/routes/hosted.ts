import { cwDate } from '../dates';
import { FieldErrors } from '../errors';
import type { SimRecord } from '../resources';
import { checkRecord, checkUnique } from '../writes';
import { patchRoute, readRoutes, render, requireRecord, writable } from './collection';
import type { RequestCtx, RouteTable } from './types';

const SERVER_SET = ['createdBy', 'dateCreated'];

/** Description unique (ObjectExists), screenId must be a hosted screen, ToolbarButton needs its text. */
function saveSetup(ctx: RequestCtx, rec: SimRecord): SimRecord {
  const errors = new FieldErrors('connectWiseHostedSetup');
  checkRecord(ctx.store, 'hostedSetups', rec, errors);
  checkUnique(ctx.store, 'hostedSetups', rec, 'description', errors);
  if (typeof rec.screenId === 'number' && !ctx.store.get('hostedScreens', rec.screenId)) {
    errors.add('NotFound', 'screenId', `Hosted Screen ${rec.screenId} not found`);
  }
  if (rec.type === 'ToolbarButton' && !rec.toolbarButtonText) {
    errors.add(
      'NullValue',
      'toolbarButtonText',
      'The toolbarButtonText field is required for a ToolbarButton.',
    );
  }
  errors.throwIfAny();
  // "Only required if not already set": CW fills it from the calling integration (verify).
  rec.clientId ??= ctx.clientId;
  rec.disabledFlag ??= false;
  rec.locationIds ??= [];
  rec.locationsEnabledFlag ??= false;
  return ctx.store.save('hostedSetups', rec);
}

export function hostedRoutes(): RouteTable {
  return {
    ...readRoutes('/system/connectWiseHostedScreens', 'hostedScreens'),
    ...readRoutes('/system/connectwisehostedsetups', 'hostedSetups'),
    'POST /system/connectwisehostedsetups': {
      collection: 'hostedSetups',
      handler: (ctx) => {
        const rec: SimRecord = {
          id: ctx.store.nextId('hostedSetups'),
          ...writable(ctx.body, SERVER_SET),
          createdBy: ctx.store.member.identifier,
          dateCreated: cwDate(),
        };
        return { status: 201, body: render(saveSetup(ctx, rec)) };
      },
    },
    'PATCH /system/connectwisehostedsetups/{id}': patchRoute('hostedSetups', saveSetup, SERVER_SET),
    'DELETE /system/connectwisehostedsetups/{id}': {
      collection: 'hostedSetups',
      handler: (ctx) => {
        ctx.store.remove('hostedSetups', requireRecord(ctx, 'hostedSetups').id);
        return { status: 204 };
      },
    },
  };
}
