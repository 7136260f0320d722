import { markCredentialsInvalid } from '../../services/credentials-state';
import { sealPrivateKey } from '../../services/integration-client';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('integrations-repo');
});
afterAll(async () => {
  await db.close();
});

const keyring = testKeyring();
const create = (partnerId: string) =>
  db.repos.integrations.create({
    partnerId,
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    sealPrivateKey: (id) => sealPrivateKey(keyring, id, 'key-1'),
  });

test('one live integration per partner, enforced by the database', async () => {
  await create('one');
  const results = await Promise.allSettled([create('two'), create('two'), create('two')]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  await expect(create('one')).rejects.toThrow(/already has a ConnectWise integration/);
});

test('a conditional update does nothing when the state or the key changed meanwhile', async () => {
  const integration = await create('cas');
  expect(
    await db.repos.integrations.update('cas', integration.id, { state: 'active' }, [], {
      state: 'paused',
    }),
  ).toBeUndefined();
  expect(
    await db.repos.integrations.update('cas', integration.id, { state: 'paused' }, [], {
      privateKeyCt: 'not-the-key',
    }),
  ).toBeUndefined();
  const paused = await db.repos.integrations.update(
    'cas',
    integration.id,
    { state: 'paused' },
    [],
    {
      state: 'active',
      privateKeyCt: integration.privateKey!.ct,
    },
  );
  expect(paused?.state).toBe('paused');
});

test('a 401 for keys that were replaced meanwhile does not mark the new keys invalid', async () => {
  const before = await create('stale');
  const replaced = await db.repos.integrations.update('stale', before.id, {
    privateKey: sealPrivateKey(keyring, before.id, 'key-2'),
  });
  await markCredentialsInvalid(db.repos, before); // the old key's 401 arrives late
  expect((await db.repos.integrations.get('stale', before.id))?.state).toBe('active');
  await markCredentialsInvalid(db.repos, replaced!);
  expect((await db.repos.integrations.get('stale', before.id))?.state).toBe('credentials_invalid');
});

test('every query is scoped to the partner', async () => {
  const integration = await create('owner');
  expect(await db.repos.integrations.get('intruder', integration.id)).toBeUndefined();
  expect(
    await db.repos.integrations.update('intruder', integration.id, { state: 'paused' }),
  ).toBeUndefined();
  expect(await db.repos.integrations.markDeleted('intruder', integration.id)).toBe(false);
  expect((await db.repos.integrations.get('owner', integration.id))?.state).toBe('active');
});
