import type { ConnectWiseClient, RequestOptions } from '../client';
import { idSegment } from '../ids';
import { parseInput } from '../input';
import type { PatchOperation } from '../patch';
import {
  callbackEntrySchema,
  newCallbackEntrySchema,
  type CallbackEntry,
  type NewCallbackEntry,
} from '../schemas/callbacks';

const CALLBACKS = '/system/callbacks';

export type CallbackPatchField = 'objectId' | 'url' | 'level' | 'inactiveFlag' | 'description';

/**
 * Every callback of the tenant (a handful: each vendor registers its own). Ours are told apart by
 * their URL, which holds the engine's public address and a token: no condition can name that.
 */
export async function listCallbacks(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<CallbackEntry[]> {
  return await client.listAll(CALLBACKS, callbackEntrySchema, {}, options);
}

export async function createCallback(
  client: ConnectWiseClient,
  callback: NewCallbackEntry,
  options?: RequestOptions,
): Promise<CallbackEntry> {
  return await client.create(
    CALLBACKS,
    callbackEntrySchema,
    parseInput(newCallbackEntrySchema, callback, 'callback'),
    options,
  );
}

export async function patchCallback(
  client: ConnectWiseClient,
  callbackId: number,
  operations: readonly PatchOperation<CallbackPatchField>[],
  options?: RequestOptions,
): Promise<CallbackEntry> {
  return await client.patch(
    `${CALLBACKS}/${idSegment(callbackId)}`,
    callbackEntrySchema,
    operations,
    options,
  );
}

/** Deletes one of our own callbacks, by id (another vendor's are never touched). */
export async function deleteCallback(
  client: ConnectWiseClient,
  callbackId: number,
  options?: RequestOptions,
): Promise<void> {
  await client.delete(`${CALLBACKS}/${idSegment(callbackId)}`, options);
}
