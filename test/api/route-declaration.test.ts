import { z } from 'zod';
import { route } from '../../api/route';
import { HttpError } from '../../api/errors';
import { checkErrorDeclared, checkResponse } from '../../api/route-responses';
import { partnerParams } from '../../api/v1/schemas';

const base = {
  method: 'get' as const,
  summary: 'x',
  tags: ['t'],
  handler: () => Promise.resolve({ body: { ok: true } }),
};

test('a route that declares no auth strategy does not compile, and fails at start', () => {
  expect(() =>
    // @ts-expect-error `auth` is required on every route declaration.
    route({
      ...base,
      path: '/partners/:partnerId/x',
      params: partnerParams,
      responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
    }),
  ).toThrow(/unknown auth strategy/);
});

test('a partner-scoped route without :partnerId in its path and params fails at start', () => {
  const responses = { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } };
  expect(() =>
    route({ ...base, auth: 'partner', path: '/things', params: z.object({}), responses }),
  ).toThrow(/partner-scoped route needs :partnerId/);
  expect(() =>
    route({
      ...base,
      auth: 'partner',
      path: '/partners/:partnerId/x',
      params: z.object({}),
      responses,
    }),
  ).toThrow(/partner-scoped route needs :partnerId/);
});

test('the common answers are declared by strategy', () => {
  const responses = { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } };
  const pub = route({ ...base, auth: 'public', path: '/p', params: z.object({}), responses });
  expect(Object.keys(pub.responses).sort()).toEqual(['200', '503']);
  expect(pub.openapi.security).toEqual([]);
  const partner = route({
    ...base,
    auth: 'partner',
    path: '/partners/:partnerId/x',
    params: partnerParams,
    body: z.object({ a: z.string() }),
    responses,
  });
  expect(Object.keys(partner.responses).sort()).toEqual(['200', '400', '401', '404', '415', '503']);
  const service = route({ ...base, auth: 'service', path: '/s', params: z.object({}), responses });
  expect(Object.keys(service.responses)).toContain('403');
});

describe('responses are checked against their declaration', () => {
  const r = {
    method: 'get',
    path: '/x',
    responses: {
      200: { description: 'ok', schema: z.object({ id: z.string(), at: z.string() }) },
      204: { description: 'gone', schema: null },
    },
  };

  test('a matching body passes as JSON (dates become strings)', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(checkResponse(r, 200, { id: 'a', at }, true)).toEqual({
      id: 'a',
      at: '2026-01-02T03:04:05.000Z',
    });
  });

  test('an undeclared field is dropped in production and an error in strict mode', () => {
    const leaky = { id: 'a', at: 'x', privateKey: 'secret' };
    expect(checkResponse(r, 200, leaky, false)).toEqual({ id: 'a', at: 'x' });
    expect(() => checkResponse(r, 200, leaky, true)).toThrow(/fields its schema does not declare/);
  });

  test('a mistyped body, an undeclared status and a body on a 204 are errors', () => {
    expect(() => checkResponse(r, 200, { id: 1, at: 'x' }, false)).toThrow(/id:/);
    expect(() => checkResponse(r, 201, { id: 'a', at: 'x' }, false)).toThrow(/not declared/);
    expect(() => checkResponse(r, 204, { id: 'a' }, false)).toThrow(/without a body/);
    expect(checkResponse(r, 204, undefined, true)).toBeUndefined();
  });
});

test('in strict mode an error answer must be declared too; unanticipated errors stay 500s', () => {
  const r = {
    method: 'get',
    path: '/x',
    responses: { 404: { description: 'gone', schema: null } },
  };
  expect(() => checkErrorDeclared(r, new HttpError(404, 'not_found', 'x'))).not.toThrow();
  expect(() => checkErrorDeclared(r, new HttpError(409, 'conflict', 'x'))).toThrow(
    /409: error conflict is not declared/,
  );
  expect(() => checkErrorDeclared(r, new Error('bug'))).not.toThrow();
});
