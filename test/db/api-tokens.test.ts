import { apiTokenModel } from '../../db/models/api-token';
import { ApiTokenRepository, TOKEN_CACHE_MS } from '../../db/repositories/api-tokens';
import { openTestDatabase, type TestDatabase } from '../support/db';

/** A token found valid is believed for TOKEN_CACHE_MS; a revoke elsewhere lands within it. */
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('api-tokens');
});
afterAll(() => db.close());

test('a token revoked by another process stops working within the cache time', async () => {
  let now = 1_000_000;
  const model = apiTokenModel(db.conn);
  const here = new ApiTokenRepository(model, () => now);
  const elsewhere = new ApiTokenRepository(model);
  const { token, id } = await here.create({ kind: 'partner', partnerId: 'p1', name: 'portal' });
  expect(await here.authenticate(token)).toMatchObject({ kind: 'partner', partnerId: 'p1' });

  expect(await elsewhere.revoke(id)).toBe(true);
  now += TOKEN_CACHE_MS - 1;
  expect(await here.authenticate(token)).toMatchObject({ tokenId: id });
  now += 1;
  expect(await here.authenticate(token)).toBeUndefined();
  expect(await here.authenticate(token)).toBeUndefined();
});

test('a token revoked through the same repository stops working at once', async () => {
  const tokens = new ApiTokenRepository(apiTokenModel(db.conn));
  const { token, id } = await tokens.create({ kind: 'service', name: 'ops' });
  expect(await tokens.authenticate(token)).toMatchObject({ kind: 'service', tokenId: id });
  expect(await tokens.revoke(id)).toBe(true);
  expect(await tokens.authenticate(token)).toBeUndefined();
});
