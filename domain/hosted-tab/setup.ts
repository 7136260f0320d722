/**
 * The engine's hosted tab on the ConnectWise Company screen (docs/connectwise.md §7): what the setup record
 * should hold, what to repair, and what a verification reports. Pure; the install token is
 * checked by the caller and passed in.
 */

/** The tab's label in ConnectWise and how the engine finds its own setup (descriptions are unique). */
export const HOSTED_TAB_NAME = 'DefensX';
export const HOSTED_TAB_PATH = '/hosted/connectwise';

/** A hosted setup as ConnectWise answers it, the fields the engine looks at. */
export interface SetupFacts {
  id: number;
  screenId: number | null;
  url: string;
  type: string | null;
  origin?: string | null;
  disabledFlag?: boolean | null;
}

/** Where our setup should point: the Company screen's id and the engine's public base URL. */
export interface HostedTabTarget {
  screenId: number;
  baseUrl: string;
}

export interface WantedSetup {
  screenId: number;
  description: string;
  url: string;
  origin: string;
  type: 'Tab';
  disabledFlag: false;
}

const TOKEN_PARAM = /([?&]t=)[^&]*/;
const HIDDEN = '…';

const baseOf = (baseUrl: string) => baseUrl.replace(/\/+$/, '');
export const originOf = (baseUrl: string): string => new URL(baseUrl).origin;

/** ConnectWise substitutes `[cw_id]` and `[cw_screen]` when it opens the tab. */
export const hostedTabUrl = (baseUrl: string, token: string): string =>
  `${baseOf(baseUrl)}${HOSTED_TAB_PATH}?t=${token}&id=[cw_id]&screen=[cw_screen]`;

export function wantedSetup(target: HostedTabTarget, token: string): WantedSetup {
  return {
    screenId: target.screenId,
    description: HOSTED_TAB_NAME,
    url: hostedTabUrl(target.baseUrl, token),
    origin: originOf(target.baseUrl),
    type: 'Tab',
    disabledFlag: false,
  };
}

/** The install token in a setup URL, if it has one. */
export function tokenInUrl(url: string): string | undefined {
  const m = TOKEN_PARAM.exec(url);
  return m ? m[0].slice(m[1]!.length) : undefined;
}

/** A URL as the API shows it: the install token hidden (it lives in ConnectWise, not in answers). */
export const redactToken = (url: string): string => url.replace(TOKEN_PARAM, `$1${HIDDEN}`);

export type RepairField = 'screenId' | 'url' | 'origin' | 'type' | 'disabledFlag';

/** The fields of an existing setup that differ from the wanted one, with the wanted values. */
export function repairsOf(
  setup: SetupFacts,
  wanted: WantedSetup,
): Array<{ field: RepairField; value: string | number | boolean }> {
  const actual: Record<RepairField, unknown> = {
    screenId: setup.screenId,
    url: setup.url,
    origin: setup.origin ?? null,
    type: setup.type,
    disabledFlag: setup.disabledFlag ?? false,
  };
  return (Object.keys(actual) as RepairField[])
    .filter((field) => actual[field] !== wanted[field])
    .map((field) => ({ field, value: wanted[field] }));
}

export type CheckName = 'exists' | 'screen' | 'type' | 'enabled' | 'url' | 'origin';

export interface HostedTabCheck {
  name: CheckName;
  ok: boolean;
  message: string;
  expected?: string;
  actual?: string | null;
}

const REINSTALL = 'install again to repair it';

/** One check per expectation, each ok or saying what differs. */
export function checkSetup(
  setup: SetupFacts | undefined,
  target: HostedTabTarget,
  tokenIsCurrent: boolean,
): HostedTabCheck[] {
  if (!setup) {
    return [
      {
        name: 'exists',
        ok: false,
        message: `ConnectWise has no hosted setup named ${HOSTED_TAB_NAME}; install it`,
      },
    ];
  }
  const wanted = wantedSetup(target, HIDDEN);
  const url = redactToken(setup.url);
  const origin = setup.origin ?? null;
  const differs = (what: string) => `${what}; ${REINSTALL}`;
  return [
    { name: 'exists', ok: true, message: `hosted setup ${setup.id}` },
    setup.screenId === target.screenId
      ? { name: 'screen', ok: true, message: 'on the Company screen' }
      : {
          name: 'screen',
          ok: false,
          message: differs('not on the Company screen'),
          expected: String(target.screenId),
          actual: setup.screenId === null ? null : String(setup.screenId),
        },
    setup.type === 'Tab'
      ? { name: 'type', ok: true, message: 'a tab' }
      : {
          name: 'type',
          ok: false,
          message: differs('not a tab'),
          expected: 'Tab',
          actual: setup.type,
        },
    setup.disabledFlag === true
      ? { name: 'enabled', ok: false, message: differs('disabled in ConnectWise') }
      : { name: 'enabled', ok: true, message: 'enabled' },
    urlCheck(url, wanted.url, tokenIsCurrent),
    origin === wanted.origin
      ? { name: 'origin', ok: true, message: 'the engine\u2019s origin' }
      : {
          name: 'origin',
          ok: false,
          message: differs('not the engine\u2019s origin'),
          expected: wanted.origin,
          actual: origin,
        },
  ];
}

function urlCheck(actual: string, expected: string, tokenIsCurrent: boolean): HostedTabCheck {
  if (actual !== expected) {
    return {
      name: 'url',
      ok: false,
      message: `not the engine\u2019s tab address; ${REINSTALL}`,
      expected,
      actual,
    };
  }
  if (!tokenIsCurrent) {
    return {
      name: 'url',
      ok: false,
      message: `its install token is not the current one (replaced or removed); ${REINSTALL}`,
    };
  }
  return { name: 'url', ok: true, message: 'the engine\u2019s tab address with the current token' };
}
