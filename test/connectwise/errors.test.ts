import {
  classifyConnectWiseError,
  ConnectWiseError,
  createConnectWiseClient,
  getSystemInfo,
  parseRetryAfter,
  type ConnectWiseClient,
} from '../../connectwise';

const PRIVATE_KEY = 'TopSecretPrivKey';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

async function clientWith(
  handler: Handler,
  timeouts?: { readMs?: number },
): Promise<ConnectWiseClient> {
  const fetchImpl = ((url: string, init: RequestInit) =>
    Promise.resolve(handler(url, init))) as typeof fetch;
  return createConnectWiseClient({
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    privateKey: PRIVATE_KEY,
    clientId: 'client-guid',
    codebase: 'v2025_1/',
    fetch: fetchImpl,
    timeouts,
  });
}

async function failure(
  handler: Handler,
  timeouts?: { readMs?: number },
): Promise<ConnectWiseError> {
  const client = await clientWith(handler, timeouts);
  try {
    await getSystemInfo(client);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectWiseError);
    const e = err as ConnectWiseError;
    // Whatever went wrong, the credentials never leak into what gets logged.
    const printed = `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`;
    expect(printed).not.toContain(PRIVATE_KEY);
    expect(printed).not.toContain(Buffer.from(`acme+pub:${PRIVATE_KEY}`).toString('base64'));
    expect(printed).not.toMatch(/Basic /);
    return e;
  }
  throw new Error('expected the call to fail');
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('classifyConnectWiseError', () => {
  it.each([
    [{ status: 401, code: 'Unauthorized' }, 'authentication'],
    [
      { status: 404, code: 'ConnectWiseApi', errors: [{ code: 'UserNotAuthenticated' }] },
      'authentication',
    ],
    [{ status: 403, code: 'Security' }, 'permission'],
    [{ status: 404, code: 'NotFound' }, 'not_found'],
    [{ status: 400, code: 'InvalidObject', errors: [{ code: 'MaxLengthField' }] }, 'validation'],
    [{ status: 400, code: 'InvalidObject', errors: [{ code: 'ObjectExists' }] }, 'object_exists'],
    [{ status: 405, code: 'HttpError' }, 'validation'],
    [{ status: 409, code: 'HttpError' }, 'server'],
    [{ status: 429, code: 'HttpError' }, 'throttled'],
    [{ status: 429, code: 'NonJsonResponse' }, 'throttled'],
    [{ status: 500, code: 'HttpError' }, 'server'],
    [{ status: 503, code: 'NonJsonResponse' }, 'server'],
    [{ status: 0, code: 'NetworkError' }, 'network'],
    [{ status: 0, code: 'Timeout' }, 'network'],
    [{ status: 200, code: 'NonJsonResponse' }, 'unexpected_response'],
    [{ status: 404, code: 'NonJsonResponse' }, 'unexpected_response'],
    [{ status: 200, code: 'InvalidResponse' }, 'unexpected_response'],
    [{ status: 0, code: 'InvalidSite' }, 'validation'],
    [{ status: 200, code: 'CompanyNotFound' }, 'not_found'],
    [{ status: 0, code: 'InvalidCredentials' }, 'authentication'],
  ])('%j → %s', (err, kind) => {
    expect(classifyConnectWiseError(err)).toBe(kind);
    expect(new ConnectWiseError({ ...err, message: 'm' }).kind).toBe(kind);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('responses become ConnectWiseErrors', () => {
  it('keeps the ConnectWise body: code, message, errors[]', async () => {
    const e = await failure(() =>
      json(400, {
        code: 'InvalidObject',
        message: 'ticket object is invalid',
        errors: [
          {
            code: 'NotFound',
            message: 'Service Status 17 not found',
            resource: 'ticket',
            field: 'status/id',
          },
        ],
      }),
    );
    expect(e).toMatchObject({
      status: 400,
      code: 'InvalidObject',
      kind: 'validation',
      method: 'GET',
      path: '/system/info',
    });
    expect(e.errors).toEqual([
      {
        code: 'NotFound',
        message: 'Service Status 17 not found',
        resource: 'ticket',
        field: 'status/id',
        details: undefined,
      },
    ]);
    expect(e.message).toContain('ticket object is invalid');
    expect(e.message).toContain('status/id: Service Status 17 not found');
  });

  it('sets retryAfterMs on a 429', async () => {
    const e = await failure(() =>
      json(429, { code: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '12' }),
    );
    expect(e.kind).toBe('throttled');
    expect(e.retryAfterMs).toBe(12_000);
  });

  it('reports HTML as NonJsonResponse that says "wrong host"', async () => {
    const e = await failure(
      () =>
        new Response('<!DOCTYPE html><html>login</html>', {
          status: 200,
          headers: { 'content-type': 'text/html' },
        }),
    );
    expect(e.code).toBe('NonJsonResponse');
    expect(e.kind).toBe('unexpected_response');
    expect(e.message).toMatch(/web UI/);
  });

  it('reports a 401 without body as authentication', async () => {
    const e = await failure(() => new Response(null, { status: 401 }));
    expect(e).toMatchObject({ status: 401, kind: 'authentication', code: 'HttpError' });
  });

  it('never follows a redirect', async () => {
    const e = await failure(
      () =>
        new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest' } }),
    );
    expect(e.code).toBe('Redirect');
    expect(e.message).toContain('http://169.254.169.254');
  });

  it('maps connection failures to network', async () => {
    const e = await failure(() => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      });
    });
    expect(e).toMatchObject({ status: 0, code: 'NetworkError', kind: 'network' });
    expect(e.message).toMatch(/connection was reset \(ECONNRESET\)/);
  });

  it('maps a timeout to network with code Timeout', async () => {
    const e = await failure(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { readMs: 50 },
    );
    expect(e).toMatchObject({ code: 'Timeout', kind: 'network' });
  });

  it('flags a body that breaks the contract', async () => {
    const e = await failure(() => json(200, { version: 42 }));
    expect(e).toMatchObject({ code: 'InvalidResponse', kind: 'unexpected_response' });
  });
});
