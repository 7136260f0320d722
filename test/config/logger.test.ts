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
