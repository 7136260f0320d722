import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'cwe_';

/** 256 random bits; shown once at creation, stored only as a hash. */
export const generateToken = (): string => `${PREFIX}${randomBytes(32).toString('base64url')}`;

/** A fast hash is enough: tokens are random, not passwords, so there is nothing to brute-force. */
export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export const looksLikeToken = (value: string): boolean => /^cwe_[A-Za-z0-9_-]{43}$/.test(value);
