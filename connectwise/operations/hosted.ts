import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond } from '../conditions';
import { assertEngineKey, idSegment } from '../ids';
import { parseInput } from '../input';
import type { PatchOperation } from '../patch';
import {
  hostedScreenSchema,
  hostedSetupSchema,
  newHostedSetupSchema,
  type HostedScreen,
  type HostedSetup,
  type NewHostedSetup,
} from '../schemas/hosted';

// Spelled as in the contract: lower-case setups, camel-case screens.
const SETUPS = '/system/connectwisehostedsetups';
const SCREENS = '/system/connectWiseHostedScreens';

export type HostedSetupPatchField =
  | 'screenId'
  | 'description'
  | 'url'
  | 'type'
  | 'origin'
  | 'clientId'
  | 'disabledFlag'
  | 'podHeight'
  | 'toolbarButtonText'
  | 'locationIds';

/** `description` filters by our own setup's name, an engine key. */
export async function listHostedSetups(
  client: ConnectWiseClient,
  filter: { description?: string } = {},
  options?: RequestOptions,
): Promise<HostedSetup[]> {
  const conditions =
    filter.description === undefined
      ? undefined
      : cond.eq('description', assertEngineKey(filter.description, 'Hosted setup description'));
  return await client.listAll(SETUPS, hostedSetupSchema, { conditions }, options);
}

export async function getHostedSetup(
  client: ConnectWiseClient,
  setupId: number,
  options?: RequestOptions,
): Promise<HostedSetup> {
  return await client.get(`${SETUPS}/${idSegment(setupId)}`, hostedSetupSchema, {}, options);
}

export async function createHostedSetup(
  client: ConnectWiseClient,
  setup: NewHostedSetup,
  options?: RequestOptions,
): Promise<HostedSetup> {
  return await client.create(
    SETUPS,
    hostedSetupSchema,
    parseInput(newHostedSetupSchema, setup, 'hosted tab setup'),
    options,
  );
}

export async function patchHostedSetup(
  client: ConnectWiseClient,
  setupId: number,
  operations: readonly PatchOperation<HostedSetupPatchField>[],
  options?: RequestOptions,
): Promise<HostedSetup> {
  return await client.patch(
    `${SETUPS}/${idSegment(setupId)}`,
    hostedSetupSchema,
    operations,
    options,
  );
}

/** Uninstall deletes only our own setup record, by id. */
export async function deleteHostedSetup(
  client: ConnectWiseClient,
  setupId: number,
  options?: RequestOptions,
): Promise<void> {
  return await client.delete(`${SETUPS}/${idSegment(setupId)}`, options);
}

export async function listHostedScreens(
  client: ConnectWiseClient,
  options?: RequestOptions,
): Promise<HostedScreen[]> {
  return await client.listAll(SCREENS, hostedScreenSchema, {}, options);
}
