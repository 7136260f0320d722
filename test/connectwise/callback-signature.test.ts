import { createHash, createHmac } from 'node:crypto';
import {
  callbackSignatureMatches,
  fetchSigningKey,
  SigningKeyCache,
  SigningKeyError,
} from '../../connectwise/callback-signature';

const sign = (body: string, key: string) =>
  createHmac('sha256', createHash('sha256').update(key).digest()).update(body).digest('base64');

test('a signature matches only its exact body and key', () => {
  const body = Buffer.from('{"ID":1}');
  expect(callbackSignatureMatches(body, sign('{"ID":1}', 'k1'), 'k1')).toBe(true);
  expect(callbackSignatureMatches(body, sign('{"ID":1}', 'k2'), 'k1')).toBe(false);
  expect(callbackSignatureMatches(Buffer.from('{"ID": 1}'), sign('{"ID":1}', 'k1'), 'k1')).toBe(
    false,
  );
  expect(callbackSignatureMatches(body, undefined, 'k1')).toBe(false);
  expect(callbackSignatureMatches(body, 'not base64 !', 'k1')).toBe(false);
});

test("a key URL outside the integration's ConnectWise is refused without a request", async () => {
  const asked: string[] = [];
  const fetchImpl = ((url: string | URL) => {
    asked.push(url.toString());
    return Promise.resolve(new Response('{"signing_key":"k"}'));
  }) as typeof fetch;
  const options = {
    allowedOrigins: ['https://api-na.myconnectwise.net'],
    allowPrivateHosts: true,
    fetchImpl,
  };
  for (const url of [
    'https://evil.example/key',
    'http://api-na.myconnectwise.net/key',
    'https://user:pw@api-na.myconnectwise.net/key',
    'file:///etc/passwd',
    'not a url',
  ]) {
    await expect(fetchSigningKey(url, options)).rejects.toBeInstanceOf(SigningKeyError);
  }
  expect(asked).toEqual([]);
  expect(await fetchSigningKey('https://api-na.myconnectwise.net/key/1', options)).toBe('k');
  expect(asked).toEqual(['https://api-na.myconnectwise.net/key/1']);
});

test('an oversized, non-JSON or redirecting answer is refused', async () => {
  const answer = (res: Response) => (() => Promise.resolve(res)) as unknown as typeof fetch;
  const base = { allowedOrigins: ['https://cw.example'], allowPrivateHosts: true };
  await expect(
    fetchSigningKey('https://cw.example/k', {
      ...base,
      fetchImpl: answer(new Response('x'.repeat(20_000))),
    }),
  ).rejects.toThrow(/more than/);
  await expect(
    fetchSigningKey('https://cw.example/k', { ...base, fetchImpl: answer(new Response('nope')) }),
  ).rejects.toThrow(/JSON/);
  await expect(
    fetchSigningKey('https://cw.example/k', {
      ...base,
      fetchImpl: answer(new Response(null, { status: 302, headers: { location: '/x' } })),
    }),
  ).rejects.toThrow(/answered 302/);
});

test('keys are cached per URL and fetched again once stale', async () => {
  let now = 0;
  let fetched = 0;
  const cache = new SigningKeyCache(3_600_000, 10, () => now);
  const fetchKey = () => Promise.resolve(`k${++fetched}`);
  expect(await cache.get('u', fetchKey)).toBe('k1');
  expect(await cache.get('u', fetchKey)).toBe('k1');
  expect(cache.stale('u')).toBe(false);
  now += 61_000;
  expect(cache.stale('u')).toBe(true);
  cache.forget('u');
  expect(await cache.get('u', fetchKey)).toBe('k2');
});
