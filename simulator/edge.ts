import { z } from 'zod';
import { CwError } from './errors';

/**
 * Some failures never reach CW's API code: a cloud 429 or 5xx comes from the Cloudflare edge and a
 * path on a retired codebase may be answered by IIS, both as HTML or plain text rather than CW's
 * JSON (verify the exact bodies). Fault rules and the codebase switch can ask for these bodies so
 * a client's error handling is tested against them; JSON stays the default.
 */
export const bodyFormatSchema = z.enum(['json', 'html', 'text']);
export type BodyFormat = z.infer<typeof bodyFormatSchema>;

/** How a 429 says when to come back: delta-seconds (the default), an HTTP-date, or not at all. */
export const retryAfterSchema = z.enum(['seconds', 'httpDate', 'none']);
export type RetryAfterStyle = z.infer<typeof retryAfterSchema>;

/** A CW-shaped error that may leave as an edge page instead of JSON. */
export class EdgeError extends CwError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly format: BodyFormat,
    headers: Record<string, string> = {},
  ) {
    super(status, code, message, undefined, headers);
    this.name = 'EdgeError';
  }
}

const TITLES: Record<number, string> = {
  404: '404 - File or directory not found.',
  429: 'Error 1015: You are being rate limited',
  500: '500 Internal Server Error',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
};

/** The page an edge proxy (Cloudflare: `error code: 1015`) or IIS would send for this status. */
export function edgePage(status: number, format: 'html' | 'text'): { type: string; body: string } {
  const title = TITLES[status] ?? `${status} Error`;
  if (format === 'text') {
    return { type: 'text/plain; charset=utf-8', body: status === 429 ? 'error code: 1015' : title };
  }
  return {
    type: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`,
  };
}

/** The `Retry-After` header for a wait, or none; an HTTP-date is rounded up to whole seconds. */
export function retryAfterHeader(
  seconds: number,
  style: RetryAfterStyle,
  now = Date.now(),
): Record<string, string> {
  if (style === 'none') return {};
  if (style === 'seconds') return { 'Retry-After': String(seconds) };
  const at = new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000);
  return { 'Retry-After': at.toUTCString() };
}
