import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { createApp } from '../../api/app';
import { requireServiceToken } from '../../api/auth';
import { codecRouter } from '../../api/codec';
import { isLoopbackHost } from '../../api/loopback';
import { EncryptionCodec } from '../../security';
import { testKeyring } from '../support/keys';
import { startEngine, type Engine } from '../support/engine';
import { captureLogger } from '../support/logger';

const keyring = testKeyring();
const ui = 'http://127.0.0.1:8233';
const app = createApp({
  logger: captureLogger().logger,
  checks: [],
  codec: codecRouter(keyring, { allowedOrigins: [ui] }),
});

const asJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

test('decodes encrypted payloads for the Temporal UI, with secrets redacted', async () => {
  const plain = defaultPayloadConverter.toPayload({
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    privateKey: 'super-secret-key',
    nested: [{ token: 'tok' }],
  });
  const [encrypted] = await new EncryptionCodec(keyring).encode([plain]);
  expect(Buffer.from(encrypted!.data!).toString()).not.toContain('acme');

  const res = await request(app)
    .post('/codec/decode')
    .set('Origin', ui)
    .set('X-Namespace', 'default')
    .send({ payloads: [asJson(encrypted!)] });
  expect(res.status).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBe(ui);
  const decoded = JSON.parse(Buffer.from(res.body.payloads[0].data as string, 'base64').toString());
  expect(decoded).toEqual({
    site: 'na',
    companyId: 'acme',
    publicKey: 'pub',
    privateKey: '[redacted]',
    nested: [{ token: '[redacted]' }],
  });
  expect(JSON.stringify(res.body)).not.toContain(
    Buffer.from('super-secret-key').toString('base64'),
  );
});

test('answers the browser preflight only for the configured UI origin', async () => {
  const ok = await request(app)
    .options('/codec/decode')
    .set('Origin', ui)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type,x-namespace');
  expect(ok.headers['access-control-allow-origin']).toBe(ui);
  const other = await request(app)
    .options('/codec/decode')
    .set('Origin', 'https://evil.example')
    .set('Access-Control-Request-Method', 'POST');
  expect(other.headers['access-control-allow-origin']).toBeUndefined();
});

test('unencrypted payloads pass through, and malformed bodies get a 400 naming the field', async () => {
  const plain = asJson(defaultPayloadConverter.toPayload({ integrationId: 'i-1' }));
  const res = await request(app)
    .post('/codec/decode')
    .send({ payloads: [plain] });
  expect(res.body.payloads).toEqual([plain]);
  const bad = await request(app)
    .post('/codec/decode')
    .send({ payloads: [{ metadata: { encoding: '%%%' } }] });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields[0].field).toBe('body.payloads.0.metadata.encoding');
});

test('without configured origins the endpoint does not exist', async () => {
  const plainApp = createApp({ logger: captureLogger().logger, checks: [] });
  expect((await request(plainApp).post('/codec/decode').send({ payloads: [] })).status).toBe(404);
});

test('a tampered or truncated payload is a 400, not a 500', async () => {
  const [encrypted] = await new EncryptionCodec(keyring).encode([
    defaultPayloadConverter.toPayload({ a: 1 }),
  ]);
  const parts = JSON.parse(Buffer.from(encrypted!.data!).toString()) as {
    iv: string;
    tag: string;
    ct: string;
  };
  const shortTag = {
    ...parts,
    tag: Buffer.from(parts.tag, 'base64').subarray(0, 4).toString('base64'),
  };
  const res = await request(app)
    .post('/codec/decode')
    .send({
      payloads: [
        { ...asJson(encrypted!), data: Buffer.from(JSON.stringify(shortTag)).toString('base64') },
      ],
    });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('undecodable_payload');
});

describe('outside loopback, decoding needs a service token', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine('codec-auth');
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  test('401 without a token, 403 with a partner token, 200 with a service token', async () => {
    const guarded = createApp({
      logger: captureLogger().logger,
      checks: [],
      codec: codecRouter(engine.keyring, {
        allowedOrigins: [ui],
        authorize: requireServiceToken(engine.db.repos.tokens),
      }),
    });
    const body = { payloads: [asJson(defaultPayloadConverter.toPayload({ a: 1 }))] };
    expect((await request(guarded).post('/codec/decode').send(body)).status).toBe(401);
    const partner = await request(guarded)
      .post('/codec/decode')
      .set('Authorization', `Bearer ${engine.tokens.p1}`)
      .send(body);
    expect(partner.status).toBe(403);
    const service = await request(guarded)
      .post('/codec/decode')
      .set('Authorization', `Bearer ${engine.tokens.service}`)
      .send(body);
    expect(service.status).toBe(200);
  });
});

test('loopback hosts are recognised', () => {
  expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopbackHost)).toEqual([
    true,
    true,
    true,
    true,
  ]);
  expect(['0.0.0.0', '10.0.0.1', '::', 'api.example.com'].map(isLoopbackHost)).toEqual([
    false,
    false,
    false,
    false,
  ]);
});
