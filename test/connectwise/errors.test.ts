import { z } from 'zod';
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
  maxResponseBytes?: number,
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
    maxResponseBytes,
  });
}

async function failure(
  handler: Handler,
  timeouts?: { readMs?: number },
  maxResponseBytes?: number,
): Promise<ConnectWiseError> {
  const client = await clientWith(handler, timeouts, maxResponseBytes);
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
    [{ status: 403, code: 'HttpError' }, 'permission'],
    [{ status: 403, code: 'NonJsonResponse' }, 'unexpected_response'],
    [{ status: 408, code: 'HttpError' }, 'server'],
    [{ status: 408, code: 'NonJsonResponse' }, 'server'],
    [{ status: 200, code: 'ResponseTooLarge' }, 'unexpected_response'],
    [{ status: 0, code: 'ListTooLarge' }, 'unexpected_response'],
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
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta-seconds and IMF-fixdate HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it.each([
    '-5',
    '1.5',
    '1e3',
    '0x10',
    '2025-01-01T00:00:30Z',
    'Wednesday, 01-Jan-25 00:00:30 GMT',
    'Wed Jan  1 00:00:30 2025',
    'Wed, 01 Jan 2025 00:00:30 +0000',
    '1 Jan 2025',
    '',
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('clamps to one hour', () => {
    expect(parseRetryAfter('3600', now)).toBe(3_600_000);
    expect(parseRetryAfter('86400', now)).toBe(3_600_000);
    expect(parseRetryAfter('99999999999999999999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(3_600_000);
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

  it('reports an HTML 403 (an edge or WAF) as unexpected_response, not a role problem', async () => {
    const e = await failure(
      () =>
        new Response('<html><body>Access denied</body></html>', {
          status: 403,
          headers: { 'content-type': 'text/html' },
        }),
    );
    expect(e).toMatchObject({ status: 403, code: 'NonJsonResponse', kind: 'unexpected_response' });
    const json403 = await failure(() => json(403, { code: 'Security', message: 'no access' }));
    expect(json403.kind).toBe('permission');
  });

  it('reports a 408 as server (retryable)', async () => {
    const e = await failure(() => new Response(null, { status: 408 }));
    expect(e).toMatchObject({ status: 408, kind: 'server' });
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

describe('response size cap', () => {
  /** A JSON body streamed in `chunks` pieces of `size` bytes; counts how many were pulled. */
  function streamed(chunks: number, size: number, headers: Record<string, string> = {}) {
    const state = { pulled: 0 };
    let sent = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          state.pulled += 1;
          if (sent === chunks) {
            controller.close();
            return;
          }
          const text = sent === 0 ? '[' : sent === chunks - 1 ? ']' : ' ';
          controller.enqueue(new TextEncoder().encode(text.padEnd(size, ' ')));
          sent += 1;
        },
      },
      { highWaterMark: 0 },
    );
    const response = new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { response, state };
  }

  it('reads a body up to the cap', async () => {
    const { response } = streamed(4, 250);
    const client = await clientWith(() => response, undefined, 1000);
    await expect(
      client.listPage('/service/boards', z.looseObject({ id: z.number() })),
    ).resolves.toEqual({ items: [], hasMore: false });
  });

  it('fails past the cap without reading the rest', async () => {
    const { response, state } = streamed(1000, 500);
    const e = await failure(() => response, undefined, 1000);
    expect(e).toMatchObject({ code: 'ResponseTooLarge', kind: 'unexpected_response' });
    expect(e.message).toMatch(/more than 1000 bytes/);
    expect(state.pulled).toBeLessThanOrEqual(4);
  });

  it('fails on a declared Content-Length over the cap before reading', async () => {
    const { response, state } = streamed(1000, 500, { 'content-length': '500000' });
    const e = await failure(() => response, undefined, 1000);
    expect(e.code).toBe('ResponseTooLarge');
    expect(state.pulled).toBeLessThanOrEqual(1);
  });

  it('defaults to 32 MiB', async () => {
    const { response } = streamed(2, 1, { 'content-length': String(32 * 1024 * 1024 + 1) });
    expect((await failure(() => response)).code).toBe('ResponseTooLarge');
  });
});
