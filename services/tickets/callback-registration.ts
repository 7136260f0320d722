import {
  createCallback,
  deleteCallback,
  isConnectWiseError,
  listCallbacks,
  patchCallback,
  replace,
  type CallbackEntry,
  type ConnectWiseClient,
} from '../../connectwise';
import type { IntegrationRecord, Repositories } from '../../db';
import { ticketPolicyOf } from '../../domain/tickets/settings';
import { newHostedToken, parseHostedToken, verifierMatches } from '../../security/hosted-token';

/** Where ConnectWise posts ticket changes: `<PUBLIC_BASE_URL>/connectwise/callbacks/<token>`. */
export const CALLBACK_PATH = '/connectwise/callbacks/';
export const CALLBACK_DESCRIPTION = 'DefensX tickets (cw-engine)';

/** The URL prefix of every callback this engine registers (its own public address). */
export const callbackPrefix = (publicBaseUrl: string): string =>
  new URL(CALLBACK_PATH, publicBaseUrl).href;

/** ConnectWise appends the record id: the URL ends in the query the receiver reads it from. */
const callbackUrl = (prefix: string, token: string) => `${prefix}${token}?recordId=`;

const tokenIn = (url: string, prefix: string): string => url.slice(prefix.length).split('?')[0]!;

/** What registration found and did. */
export interface CallbackRegistration {
  /** Whether ConnectWise will call the engine for this integration's tickets now. */
  registered: boolean;
  action: 'created' | 'moved' | 'kept' | 'removed' | 'none';
  callbackId: number | null;
  boardId: number | null;
  /** Why callbacks are not used (tickets are then followed by the poll alone). */
  problem?: string;
}

export const CALLBACKS_DENIED =
  "ConnectWise refused to manage callbacks: the API member's security role needs System → Table Setup (Inquire, Add, Edit, Delete: All); tickets are followed by polling until then.";

export interface CallbackRegistrationDeps {
  repos: Pick<Repositories, 'callbackTokens'>;
  /** PUBLIC_BASE_URL: where ConnectWise reaches the engine; unset, no callback is registered. */
  publicBaseUrl: string | undefined;
}

/**
 * Keeps the integration's one ticket callback as its ticket settings say, touching only ours
 * (found by URL: our address and a token of this integration; another vendor's, or another
 * integration's, are never touched): created on the chosen board (self-suppressed, so the engine's
 * own edits do not come back), moved when the board changes, re-activated if someone deactivated
 * it, duplicates and stale ones deleted; all removed when ticket integration is off. The token is
 * stored before the create, so a create whose answer was lost is recognised the next time.
 */
export async function syncTicketCallback(
  deps: CallbackRegistrationDeps,
  client: ConnectWiseClient,
  integration: Pick<IntegrationRecord, 'id' | 'partnerId' | 'ticketSettings'>,
  options: { signal?: AbortSignal; remove?: boolean } = {},
): Promise<CallbackRegistration> {
  const policy = ticketPolicyOf(integration.ticketSettings);
  const boardId = !options.remove && policy.enabled ? (policy.boardId ?? null) : null;
  if (!deps.publicBaseUrl) {
    return {
      registered: false,
      action: 'none',
      callbackId: null,
      boardId,
      problem:
        'PUBLIC_BASE_URL is not set, so ConnectWise cannot reach the engine: tickets are followed by polling only',
    };
  }
  const prefix = callbackPrefix(deps.publicBaseUrl);
  const { callbackTokens } = deps.repos;
  const { partnerId, id: integrationId } = integration;
  const call = { ...(options.signal ? { signal: options.signal } : {}) };
  let all: CallbackEntry[];
  try {
    all = await listCallbacks(client, call);
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'permission')
      return {
        registered: false,
        action: 'none',
        callbackId: null,
        boardId,
        problem: CALLBACKS_DENIED,
      };
    throw err;
  }
  const tokens = new Map(
    (await callbackTokens.forIntegration(partnerId, integrationId)).map((t) => [t.selector, t]),
  );
  const ours: CallbackEntry[] = [];
  const stale: CallbackEntry[] = [];
  for (const callback of all) {
    if (!callback.url.startsWith(prefix)) continue;
    const parts = parseHostedToken(tokenIn(callback.url, prefix));
    const token = parts && tokens.get(parts.selector);
    if (!parts || !token) continue;
    (verifierMatches(parts.verifier, token.verifierHash) ? ours : stale).push(callback);
  }
  ours.sort((a, b) => a.id - b.id);
  const keep = boardId === null ? undefined : ours[0];
  for (const callback of [...stale, ...ours.filter((c) => c !== keep)])
    await deleteCallback(client, callback.id, call);
  if (boardId === null) {
    await callbackTokens.removeOthers(partnerId, integrationId, []);
    return {
      registered: false,
      action: ours.length + stale.length > 0 ? 'removed' : 'none',
      callbackId: null,
      boardId: null,
    };
  }
  if (keep) {
    const selector = parseHostedToken(tokenIn(keep.url, prefix))!.selector;
    await callbackTokens.removeOthers(partnerId, integrationId, [selector]);
    const repairs = [
      ...(keep.objectId !== boardId ? [replace('objectId', boardId)] : []),
      ...(keep.level !== 'board' ? [replace('level', 'board')] : []),
      ...(keep.inactiveFlag === true ? [replace('inactiveFlag', false)] : []),
    ];
    if (repairs.length > 0) await patchCallback(client, keep.id, repairs, call);
    return {
      registered: true,
      action: repairs.length > 0 ? 'moved' : 'kept',
      callbackId: keep.id,
      boardId,
    };
  }
  const token = newHostedToken();
  await callbackTokens.add({
    selector: token.selector,
    verifierHash: token.verifierHash,
    partnerId,
    integrationId,
  });
  const created = await createCallback(
    client,
    {
      url: callbackUrl(prefix, token.token),
      objectId: boardId,
      type: 'ticket',
      level: 'board',
      description: CALLBACK_DESCRIPTION,
      isSelfSuppressedFlag: true,
    },
    call,
  );
  await callbackTokens.removeOthers(partnerId, integrationId, [token.selector]);
  return { registered: true, action: 'created', callbackId: created.id, boardId };
}
