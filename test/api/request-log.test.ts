import express from 'express';
import request from 'supertest';
import { requestLog, requestLogLevel } from '../../api/request-log';
import { captureLogger } from '../support/logger';

describe('requestLogLevel', () => {
  test.each([
    ['GET', '/v1/partners/p/connectwise/tickets', 200, 5, 'debug'],
    ['HEAD', '/v1/partners/p/connectwise/tickets', 304, 5, 'debug'],
    ['GET', '/v1/partners/p/connectwise/tickets', 200, 1_500, 'info'],
    ['GET', '/v1/partners/p/connectwise/tickets', 404, 5, 'info'],
    ['GET', '/v1/partners/p/connectwise/tickets', 503, 5, 'error'],
    ['PUT', '/v1/partners/p/connectwise/company-mappings', 200, 5, 'info'],
    ['GET', '/hosted/connectwise?t=x', 200, 5, 'info'],
    ['GET', '/console/', 200, 5, 'info'],
    ['GET', '/healthz', 200, 5, undefined],
    ['GET', '/readyz', 503, 5, undefined],
  ] as const)('%s %s answered %i in %i ms: %s', (method, url, status, ms, level) => {
    expect(requestLogLevel(method, url, status, ms)).toBe(level);
  });
});

describe('requestLog', () => {
  const appWith = (level: string) => {
    const captured = captureLogger();
    const { logger } = captured;
    logger.level = level;
    const lines = () => captured.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const app = express();
    app.use(requestLog(logger));
    app.get('/v1/read', (_req, res) => void res.json({ ok: true }));
    app.post('/v1/write', (_req, res) => void res.status(201).json({ ok: true }));
    app.get('/hosted/connectwise', (_req, res) => void res.send('tab'));
    app.post('/connectwise/callbacks/:token', (_req, res) => void res.sendStatus(204));
    return { app, lines };
  };

  test('a write is logged with its status and time, its credentials redacted', async () => {
    const { app, lines } = appWith('info');
    await request(app).post('/v1/write').set('authorization', 'Bearer secret-token').send({});
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reqId: 1,
        req: expect.objectContaining({
          method: 'POST',
          url: '/v1/write',
          headers: expect.objectContaining({ authorization: '[redacted]' }),
        }),
        res: expect.objectContaining({ statusCode: 201 }),
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines())).not.toContain('secret-token');
  });

  test('a partner API read is logged at debug only: the info log has no line for it', async () => {
    const info = appWith('info');
    await request(info.app).get('/v1/read');
    expect(info.lines()).toEqual([]);
    const debug = appWith('debug');
    await request(debug.app).get('/v1/read');
    expect(debug.lines()).toEqual([
      expect.objectContaining({ level: 20, req: expect.objectContaining({ url: '/v1/read' }) }),
    ]);
  });

  test('the tokens in URLs are hidden: the install token and the callback token', async () => {
    const { app, lines } = appWith('info');
    await request(app).get('/hosted/connectwise?t=install-secret&id=250');
    await request(app).post('/connectwise/callbacks/callback-secret?recordId=7').send({});
    const text = JSON.stringify(lines());
    expect(lines()).toHaveLength(2);
    expect(text).not.toContain('install-secret');
    expect(text).not.toContain('callback-secret');
    expect(text).toContain('/hosted/connectwise?t=\u2026&id=250');
    expect(text).toContain('/connectwise/callbacks/\u2026?recordId=7');
  });
});
