import { CREDENTIALS_REJECTED, connectWiseHttpError } from '../../api/connectwise-errors';
import { HttpError } from '../../api/errors';
import { ConnectWiseError, type ConnectWiseErrorInit } from '../../connectwise';
import { IntegrationWithoutCredentialsError } from '../../services/integration-client';

function context(notFound?: string) {
  const updates: unknown[][] = [];
  const headers: Record<string, string> = {};
  const warnings: unknown[] = [];
  const ctx = {
    repos: {
      integrations: {
        update: (...args: unknown[]) => {
          updates.push(args);
          return Promise.resolve(undefined);
        },
      },
    },
    integration: {
      id: 'int-1',
      partnerId: 'p1',
      privateKey: { kid: 'k', iv: 'i', tag: 't', ct: 'sealed-ct' },
    },
    res: {
      setHeader: (name: string, value: string) => {
        headers[name] = value;
      },
    },
    logger: { warn: (obj: unknown) => warnings.push(obj) },
    notFound,
  };
  // The fakes implement only what the mapping uses.
  return {
    ctx: ctx as unknown as Parameters<typeof connectWiseHttpError>[1],
    updates,
    headers,
    warnings,
  };
}

const cwError = (init: Partial<ConnectWiseErrorInit>) =>
  new ConnectWiseError({
    status: 500,
    code: 'X',
    message: 'ConnectWise GET /service/boards failed (500): secret internals at db01.msp.local',
    method: 'GET',
    path: '/service/boards',
    ...init,
  });

async function map(err: unknown, notFound?: string) {
  const c = context(notFound);
  const out = await connectWiseHttpError(err, c.ctx);
  return { out: out as HttpError, ...c };
}

describe('connectWiseHttpError', () => {
  test('401 moves the integration to credentials_invalid and answers 409', async () => {
    const { out, updates } = await map(cwError({ status: 401, code: 'Unauthorized' }));
    expect(out).toBeInstanceOf(HttpError);
    expect([out.status, out.code]).toEqual([409, 'credentials_invalid']);
    expect(updates).toEqual([
      [
        'p1',
        'int-1',
        { state: 'credentials_invalid', stateReason: CREDENTIALS_REJECTED },
        [],
        // Only if the refused key is still the stored one.
        { privateKeyCt: 'sealed-ct' },
      ],
    ]);
  });

  test('403 answers 502 naming the area and the role line to grant', async () => {
    const boards = await map(cwError({ status: 403, code: 'Security' }));
    expect([boards.out.status, boards.out.code]).toEqual([502, 'connectwise_permission']);
    expect(boards.out.message).toMatch(/service boards/);
    expect(boards.out.message).toMatch(/System → Table Setup Inquire/);
    const agreements = await map(
      cwError({ status: 403, code: 'Security', path: '/finance/agreements' }),
    );
    expect(agreements.out.message).toMatch(/agreements.*Finance → Agreements Inquire/);
    const companies = await map(
      cwError({ status: 403, code: 'Security', path: '/company/companies' }),
    );
    expect(companies.out.message).toMatch(/Companies → Company Maintenance/);
    expect(boards.updates).toEqual([]);
  });

  test('404 answers 404 with the caller’s words', async () => {
    const { out } = await map(cwError({ status: 404, code: 'NotFound' }), 'no board 7');
    expect([out.status, out.code, out.message]).toEqual([
      404,
      'connectwise_not_found',
      'no board 7',
    ]);
  });

  test('an unknown login company is a configuration problem, not a missing record', async () => {
    const { out } = await map(cwError({ status: 0, code: 'CompanyNotFound' }));
    expect([out.status, out.code]).toEqual([409, 'connectwise_company_not_found']);
  });

  test('429 answers 503 with Retry-After in whole seconds', async () => {
    const given = await map(cwError({ status: 429, code: 'TooManyRequests', retryAfterMs: 2500 }));
    expect([given.out.status, given.out.code]).toEqual([503, 'connectwise_throttled']);
    expect(given.headers['Retry-After']).toBe('3');
    const absent = await map(cwError({ status: 429, code: 'TooManyRequests' }));
    expect(absent.headers['Retry-After']).toBe('30');
  });

  test.each([
    [{ status: 500, code: 'ConnectWiseApi' }, 'connectwise_unavailable'],
    [{ status: 503, code: 'X' }, 'connectwise_unavailable'],
    [{ status: 0, code: 'NetworkError' }, 'connectwise_unreachable'],
    [{ status: 0, code: 'Timeout' }, 'connectwise_unreachable'],
    [{ status: 200, code: 'NonJsonResponse' }, 'connectwise_unexpected_response'],
    [{ status: 200, code: 'InvalidResponse' }, 'connectwise_unexpected_response'],
    [{ status: 400, code: 'InvalidObject' }, 'connectwise_rejected'],
  ])('%o answers 502 %s without ConnectWise’s own text', async (init, code) => {
    const { out, warnings } = await map(cwError(init));
    expect([out.status, out.code]).toEqual([502, code]);
    expect(out.message).not.toMatch(/db01|internals|\/service/);
    expect(warnings).toHaveLength(1);
  });

  test('other errors pass through; a missing key is a 409', async () => {
    const plain = new Error('boom');
    expect((await map(plain)).out).toBe(plain);
    const noKey = await map(new IntegrationWithoutCredentialsError());
    expect([noKey.out.status, noKey.out.code]).toEqual([409, 'no_credentials']);
  });
});
