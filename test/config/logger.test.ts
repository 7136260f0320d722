import { SECRET_HEADERS, SECRET_KEYS } from '../../config/logger';
import { isSecretName } from '../../config/secret-names';
import { captureLogger } from '../support/logger';

test('secrets are redacted wherever they sit in a log line', () => {
  const { logger, lines } = captureLogger();
  logger.info(
    {
      privateKey: 'pk-top',
      integration: { privateKey: 'pk-nested', publicKey: 'visible-public' },
      req: { headers: { authorization: 'Basic c2VjcmV0', accept: 'application/json' } },
      deep: { a: { token: 'tok-deep' } },
    },
    'hello',
  );
  const line = lines.join('\n');
  for (const secret of ['pk-top', 'pk-nested', 'c2VjcmV0', 'tok-deep'])
    expect(line).not.toContain(secret);
  expect(line).toContain('visible-public');
  expect(line).toContain('application/json');
  expect(line).toContain('[redacted]');
});

// pino's redact paths are literal: each listed spelling, at depths 0-3. The codec's redaction
// (isSecretName, any spelling at any depth) must agree on every one of them.
test.each(SECRET_KEYS)('%s is redacted in logs at every depth we list, and by the codec', (key) => {
  expect(isSecretName(key)).toBe(true);
  const { logger, lines } = captureLogger();
  logger.info({ [key]: 's0', a: { [key]: 's1', b: { [key]: 's2', c: { [key]: 's3' } } } }, 'x');
  const line = lines.join('\n');
  for (const secret of ['s0', 's1', 's2', 's3']) expect(line).not.toContain(`"${secret}"`);
});

test.each(SECRET_HEADERS)('the %s request header is redacted', (header) => {
  expect(isSecretName(header)).toBe(true);
  const { logger, lines } = captureLogger();
  logger.info({ req: { headers: { [header]: 'hdr-secret', accept: 'text/plain' } } }, 'x');
  expect(lines.join('\n')).not.toContain('hdr-secret');
  expect(lines.join('\n')).toContain('text/plain');
});
