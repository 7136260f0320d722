import { createKeyring } from '../../security/keyring';
import { open, seal } from '../../security/secret-box';
import { openPrivateKey, sealPrivateKey } from '../../services/integration-client';
import { rotateStoredSecrets } from '../../services/key-rotation';
import { openWebhookSecret, sealWebhookSecret } from '../../services/webhooks/secret';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { randomKey } from '../support/keys';

describe('secret box (AES-256-GCM)', () => {
  const keyring = createKeyring({ id: 'k1', key: randomKey() });

  test('round-trips, with a fresh IV each time and the key id beside the ciphertext', () => {
    const a = seal(keyring, 'private-key-123', 'ctx');
    const b = seal(keyring, 'private-key-123', 'ctx');
    expect(a.kid).toBe('k1');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(JSON.stringify(a)).not.toContain('private-key-123');
    expect(open(keyring, a, 'ctx').toString()).toBe('private-key-123');
  });

  test('a tampered ciphertext, a wrong context or an unknown key id fails to open', () => {
    const sealed = seal(keyring, 'secret', 'integration:a');
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      open(keyring, { ...sealed, ct: flipped.toString('base64') }, 'integration:a'),
    ).toThrow();
    expect(() => open(keyring, sealed, 'integration:b')).toThrow();
    expect(() => open(keyring, { ...sealed, kid: 'k9' }, 'integration:a')).toThrow(
      /no encryption key with id k9/,
    );
  });

  test('a private key sealed for one integration does not open for another', () => {
    const sealed = sealPrivateKey(keyring, 'int-1', 'pk');
    expect(openPrivateKey(keyring, 'int-1', sealed)).toBe('pk');
    expect(() => openPrivateKey(keyring, 'int-2', sealed)).toThrow();
  });
});

describe('key rotation', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('rotation');
  });
  afterAll(async () => {
    await db.close();
  });

  test('re-encrypts stored keys and webhook secrets under the new key; afterwards the old key is not needed', async () => {
    const oldKey = randomKey();
    const before = createKeyring({ id: 'old', key: oldKey });
    for (const partnerId of ['r1', 'r2']) {
      await db.repos.integrations.create({
        partnerId,
        site: 'na',
        companyId: 'acme',
        publicKey: 'pub',
        sealPrivateKey: (id) => sealPrivateKey(before, id, `secret-of-${partnerId}`),
      });
    }
    const webhook = await db.repos.webhooks.create(
      {
        partnerId: 'r1',
        url: 'https://93.184.216.34/hooks',
        events: ['ticket.created'],
        sealSecret: (webhookId) =>
          sealWebhookSecret(before, { partnerId: 'r1', webhookId }, 'whsec_of_r1'),
      },
      10,
    );
    const during = createKeyring({ id: 'new', key: randomKey() }, [{ id: 'old', key: oldKey }]);
    expect(await rotateStoredSecrets(db.repos, during)).toEqual({ checked: 3, reencrypted: 3 });
    expect(await rotateStoredSecrets(db.repos, during)).toEqual({ checked: 3, reencrypted: 0 });

    const after = createKeyring({
      id: 'new',
      key: Buffer.from(during.keys.get('new')!).toString('base64'),
    });
    for (const partnerId of ['r1', 'r2']) {
      const integration = (await db.repos.integrations.findForPartner(partnerId))!;
      expect(integration.privateKey!.kid).toBe('new');
      expect(openPrivateKey(after, integration.id, integration.privateKey!)).toBe(
        `secret-of-${partnerId}`,
      );
    }
    const stored = (await db.repos.webhooks.withSecret('r1', webhook.id))!;
    expect(stored.secret.kid).toBe('new');
    expect(
      openWebhookSecret(after, { partnerId: 'r1', webhookId: webhook.id }, stored.secret),
    ).toBe('whsec_of_r1');
  });
});
