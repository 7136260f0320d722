import { isSecretName } from '../../config/secret-names';
import { redactSecrets } from '../../security/redact';

describe('isSecretName', () => {
  it.each([
    'privateKey',
    'private_key',
    'PRIVATE-KEY',
    'privateKeys',
    'secret',
    'secrets',
    'clientSecret',
    'client_secret',
    'secretKey',
    'apiKey',
    'api_key',
    'x-api-key',
    'password',
    'Passwords',
    'passwd',
    'pwd',
    'passphrase',
    'token',
    'tokens',
    'accessToken',
    'refresh_token',
    'serviceToken',
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'encryptionKey',
    'ENCRYPTION_KEY',
    'ENCRYPTION_PREVIOUS_KEYS',
  ])('%s is a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'publicKey',
    'public_key',
    'tokenKind',
    'tokenHash',
    'tokenId',
    'keyId',
    'secretName',
    'passwordChangedAt',
    'companyId',
    'site',
    'key',
    'status',
    'kind',
  ])('%s is not a secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

test('redactSecrets replaces secret-named fields at any depth and keeps the rest', () => {
  const input = {
    site: 'na',
    publicKey: 'pub',
    private_key: 'pk',
    nested: [{ client_secret: 'cs', tokenKind: 'partner' }, { deep: { deeper: { apiKey: 'ak' } } }],
    headers: { authorization: 'Basic x', accept: 'application/json' },
  };
  expect(redactSecrets(input)).toEqual({
    site: 'na',
    publicKey: 'pub',
    private_key: '[redacted]',
    nested: [
      { client_secret: '[redacted]', tokenKind: 'partner' },
      { deep: { deeper: { apiKey: '[redacted]' } } },
    ],
    headers: { authorization: '[redacted]', accept: 'application/json' },
  });
  // A whole secret-named object goes, not only its strings.
  expect(redactSecrets({ secrets: { a: 1 } })).toEqual({ secrets: '[redacted]' });
});
