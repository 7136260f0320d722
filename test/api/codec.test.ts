import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import request from 'supertest';
import { createApp } from '../../api/app';
import { codecRouter } from '../../api/codec';
import { codecAuthorizer } from '../../api/codec-auth';
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

describe("outside loopback, decoding needs the Temporal UI user's OIDC access token", () => {
  const issuer = 'https://idp.example/';
  const audience = 'temporal-codec';
  let engine: Engine;
  let jwks: Server;
  let jwksUrl: string;
  let signingKey: KeyLike;
  let otherKey: KeyLike;
  let guarded: Express;

  beforeAll(async () => {
    engine = await startEngine('codec-auth');
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    // The identity provider's JWKS endpoint, as the API fetches it.
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    guarded = createApp({
      logger: captureLogger().logger,
      checks: [],
      codec: codecRouter(engine.keyring, {
        allowedOrigins: [ui],
        authorize: codecAuthorizer({
          HOST: '0.0.0.0',
          TEMPORAL_UI_CODEC_JWKS_URL: jwksUrl,
          TEMPORAL_UI_CODEC_JWT_ISSUER: issuer,
          TEMPORAL_UI_CODEC_JWT_AUDIENCE: audience,
        }),
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
    jwks?.close();
  });

  const token = (claims: { iss?: string; aud?: string; exp?: string } = {}, key = signingKey) =>
    new SignJWT({ sub: 'operator@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  const body = { payloads: [asJson(defaultPayloadConverter.toPayload({ a: 1 }))] };
  const decode = (bearer?: string) => {
    const req = request(guarded).post('/codec/decode').set('Origin', ui);
    return (bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`)).send(body);
  };

  test("a token the identity provider signed for the codec's audience decodes", async () => {
    const res = await decode(await token());
    expect(res.status).toBe(200);
    expect(res.body.payloads).toHaveLength(1);
  });

  test('no token, engine API tokens, and wrong, expired or foreign tokens are 401', async () => {
    expect((await decode()).status).toBe(401);
    // An engine token of any kind is not an identity: it cannot decode.
    expect((await decode(engine.tokens.p1)).status).toBe(401);
    expect((await decode(engine.tokens.service)).status).toBe(401);
    expect((await decode(await token({ aud: 'another-api' }))).status).toBe(401);
    expect((await decode(await token({ iss: 'https://evil.example/' }))).status).toBe(401);
    expect((await decode(await token({ exp: '-1m' }))).status).toBe(401);
    expect((await decode(await token({}, otherKey))).status).toBe(401);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: issuer, aud: audience }),
    ).toString('base64url')}.`;
    expect((await decode(unsigned)).status).toBe(401);
  });

  test('the codec token means nothing to the rest of the API', async () => {
    const res = await request(engine.app)
      .get('/v1/partners/p1/connectwise/integration')
      .set('Authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(401);
  });

  test('away from loopback the API does not start without a JWKS; on loopback it may', () => {
    const none = {
      TEMPORAL_UI_CODEC_JWKS_URL: undefined,
      TEMPORAL_UI_CODEC_JWT_ISSUER: undefined,
      TEMPORAL_UI_CODEC_JWT_AUDIENCE: undefined,
    };
    expect(() => codecAuthorizer({ HOST: '0.0.0.0', ...none })).toThrow(
      /TEMPORAL_UI_CODEC_JWKS_URL/,
    );
    expect(codecAuthorizer({ HOST: '127.0.0.1', ...none })).toBeUndefined();
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
