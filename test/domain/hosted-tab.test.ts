import {
  checkSetup,
  hostedTabUrl,
  redactToken,
  repairsOf,
  tokenInUrl,
  wantedSetup,
} from '../../domain/hosted-tab/setup';
import { newHostedToken, parseHostedToken, verifierMatches } from '../../security/hosted-token';
import { connectWiseOriginsOf } from '../../services/connectwise-origins';

const target = { screenId: 1, baseUrl: 'https://engine.example/base/' };

test('the tab URL keeps ConnectWise\u2019s tokens and hides the install token when shown', () => {
  const url = hostedTabUrl(target.baseUrl, 'tok.en');
  expect(url).toBe(
    'https://engine.example/base/hosted/connectwise?t=tok.en&id=[cw_id]&screen=[cw_screen]',
  );
  expect(tokenInUrl(url)).toBe('tok.en');
  expect(tokenInUrl('https://x.example/?id=1')).toBeUndefined();
  expect(redactToken(url)).toContain('?t=\u2026&id=[cw_id]');
  expect(wantedSetup(target, 'x').origin).toBe('https://engine.example');
});

test('repairs name only the fields that differ', () => {
  const wanted = wantedSetup(target, 'new');
  const setup = { id: 9, screenId: 1, url: wanted.url, type: 'Tab', origin: wanted.origin };
  expect(repairsOf(setup, wanted)).toEqual([]);
  expect(repairsOf({ ...setup, screenId: 3, disabledFlag: true }, wanted)).toEqual([
    { field: 'screenId', value: 1 },
    { field: 'disabledFlag', value: false },
  ]);
});

test('checks say what differs; a URL of the right shape with a stale token fails', () => {
  const setup = {
    id: 9,
    screenId: 3,
    url: hostedTabUrl(target.baseUrl, 'old'),
    type: 'Pod',
    origin: null,
  };
  const checks = checkSetup(setup, target, false);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  expect(failed).toEqual(['screen', 'type', 'url', 'origin']);
  expect(checks.find((c) => c.name === 'url')?.message).toContain('not the current one');
  expect(checks.find((c) => c.name === 'origin')).toMatchObject({
    expected: 'https://engine.example',
    actual: null,
  });
});

test('install tokens: 128-bit selector, 256-bit verifier, only its hash kept', () => {
  const a = newHostedToken();
  const parts = parseHostedToken(a.token);
  expect(parts?.selector).toBe(a.selector);
  expect(a.token).not.toContain(a.verifierHash);
  expect(verifierMatches(parts!.verifier, a.verifierHash)).toBe(true);
  expect(verifierMatches(parts!.verifier, newHostedToken().verifierHash)).toBe(false);
  expect(verifierMatches(parts!.verifier, 'short')).toBe(false);
  expect(parseHostedToken(`${a.token}x`)).toBeUndefined();
  expect(newHostedToken().token).not.toBe(a.token);
});

test('a cloud integration may be framed by its web UI host too', () => {
  expect(connectWiseOriginsOf({ site: 'na', lastValidation: undefined })).toEqual([
    'https://api-na.myconnectwise.net',
    'https://na.myconnectwise.net',
  ]);
  expect(
    connectWiseOriginsOf({
      site: 'cw.example.com',
      lastValidation: { site: { apiOrigin: 'https://cw.example.com' } },
    }),
  ).toEqual(['https://cw.example.com']);
  expect(connectWiseOriginsOf({ site: 'ftp://bad', lastValidation: undefined })).toEqual([]);
});
