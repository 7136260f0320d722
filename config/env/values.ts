import { z } from 'zod';

/** Parsers of values several configuration sections share. */

export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const port = z.coerce.number().int().min(0).max(65535);

export const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
});
