import { z } from 'zod';

// Canonical decimal only: no sign, spaces, leading zeros, hex (0x10), exponent (1e3) or fraction.
// At most 15 digits, so every match is a safe integer.
const DECIMAL_DIGITS = /^(0|[1-9][0-9]{0,14})$/;

/**
 * A whole number in a path or query string, where everything arrives as text. Only decimal
 * digits are read as a number; any other text stays a string and fails as "not a number", so
 * `z.coerce.number()`'s leniency (`0x10`, `1e3`, ` 1`, `+1`, `01`) never reaches a handler. The
 * OpenAPI document shows the inner schema: `integer` with its minimum and maximum.
 */
export function decimalInt(
  min: number,
  max: number,
  message = `must be a whole number from ${min} to ${max}, written in decimal digits`,
) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value),
    z.number({ error: message }).int(message).min(min, message).max(max, message),
  );
}
