import { FieldErrors } from '../errors';
import type { SimRecord } from '../resources';
import { checkRecord } from '../writes';
import { patchRoute, readRoutes, render, requireRecord, writable } from './collection';
import type { RequestCtx, RouteTable } from './types';

const TYPES = ['agreement', 'company', 'contact', 'opportunity', 'project', 'ticket', 'activity'];
const LEVELS = ['owner', 'board', 'status', 'company', 'territory', 'type'];

/**
 * `url`, `type` and `level` required (the contract), a type and level ConnectWise knows (its
 * documentation's lower-case spellings; verify), an absolute http(s) URL. The member is the
 * calling API member unless given.
 */
function saveCallback(ctx: RequestCtx, rec: SimRecord): SimRecord {
  const errors = new FieldErrors('callbackEntry');
  checkRecord(ctx.store, 'callbacks', rec, errors, ['url', 'type', 'level']);
  if (typeof rec.url === 'string') {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(rec.url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) errors.add('InvalidField', 'url', 'The url must be an absolute http or https URL.');
  }
  if (typeof rec.type === 'string' && !TYPES.includes(rec.type.toLowerCase()))
    errors.add('InvalidField', 'type', `Type ${rec.type} is not a callback type.`);
  if (typeof rec.level === 'string' && !LEVELS.includes(rec.level.toLowerCase()))
    errors.add('InvalidField', 'level', `Level ${rec.level} is not a callback level.`);
  errors.throwIfAny();
  rec.memberId ??= ctx.store.member.id;
  rec.inactiveFlag ??= false;
  rec.isSoapCallbackFlag ??= false;
  rec.isSelfSuppressedFlag ??= false;
  rec.payloadVersion ??= '2025.8';
  return ctx.store.save('callbacks', rec);
}

export function callbackRoutes(): RouteTable {
  return {
    ...readRoutes('/system/callbacks', 'callbacks'),
    'POST /system/callbacks': {
      collection: 'callbacks',
      handler: (ctx) => {
        const rec: SimRecord = { id: ctx.store.nextId('callbacks'), ...writable(ctx.body) };
        return { status: 201, body: render(saveCallback(ctx, rec)) };
      },
    },
    'PUT /system/callbacks/{id}': {
      collection: 'callbacks',
      handler: (ctx) => {
        const current = requireRecord(ctx, 'callbacks');
        const rec: SimRecord = { id: current.id, ...writable(ctx.body) };
        return { status: 200, body: render(saveCallback(ctx, rec)) };
      },
    },
    'PATCH /system/callbacks/{id}': patchRoute('callbacks', (ctx, patched) =>
      saveCallback(ctx, patched),
    ),
    'DELETE /system/callbacks/{id}': {
      collection: 'callbacks',
      handler: (ctx) => {
        ctx.store.remove('callbacks', requireRecord(ctx, 'callbacks').id);
        return { status: 204 };
      },
    },
  };
}
