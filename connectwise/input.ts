import { z } from 'zod';
import { invalidRequest } from './errors';

/** Validates a request body before sending, so ConnectWise never sees a body we know is wrong. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
