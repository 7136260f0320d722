import type { Payload } from '@temporalio/common';
import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { EncryptionCodec, type Keyring } from '../security';
import { redactSecrets } from '../security/redact';
import { fieldErrors, HttpError, validationError } from './errors';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloadsBody = z.object({
  payloads: z
    .array(
      z.object({ metadata: z.record(z.string(), base64).default({}), data: base64.optional() }),
    )
    .max(1000),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** JSON payloads come back with secret-named fields redacted: the UI shows data, never keys. */
function redact(p: Payload): Payload {
  if (Buffer.from(p.metadata?.encoding ?? []).toString() !== 'json/plain' || !p.data) return p;
  const value: unknown = JSON.parse(Buffer.from(p.data).toString('utf8'));
  return { ...p, data: Buffer.from(JSON.stringify(redactSecrets(value)), 'utf8') };
}

/**
 * A Temporal "remote codec" endpoint (POST /codec/decode) for the Temporal UI, so encrypted
 * histories can be read there. Decode only, secrets redacted, and only for the UI origins
 * configured: expose it no wider than the Temporal UI itself.
 */
export interface CodecOptions {
  allowedOrigins: string[];
  /** Who may decode; omitted only where the listener itself is private (the loopback dev stack). */
  authorize?: RequestHandler;
}

export function codecRouter(keyring: Keyring, { allowedOrigins, authorize }: CodecOptions): Router {
  const codec = new EncryptionCodec(keyring);
  const router = Router();
  router.use(
    cors({
      origin: allowedOrigins,
      methods: ['POST'],
      allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
      credentials: true,
    }),
  );
  if (authorize) router.use(authorize);
  router.post('/decode', express.json({ limit: '8mb' }), async (req, res) => {
    const parsed = payloadsBody.safeParse(req.body);
    if (!parsed.success) throw validationError(fieldErrors(parsed.error, 'body'));
    let decoded: Payload[];
    try {
      decoded = (await codec.decode(parsed.data.payloads.map(fromJson))).map(redact);
    } catch {
      // Tampered, truncated or foreign ciphertext: the caller's data is wrong, not the server.
      throw new HttpError(400, 'undecodable_payload', 'a payload could not be decrypted');
    }
    res.json({ payloads: decoded.map(toJson) });
  });
  return router;
}
