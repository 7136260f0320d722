import { createHash } from 'node:crypto';
import type { Response } from 'express';

/** The pages' one style block, allowed by its hash: no inline script, no other style. */
const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:40rem;color:#1b1f24}h1{font-size:1.3rem}code{background:#eef1f4;padding:0 .2em}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export interface Page {
  status: number;
  title: string;
  /** Already escaped HTML paragraphs (use `escapeHtml` on every value put in). */
  paragraphs: string[];
}

/**
 * The Content-Security-Policy of a page shown inside ConnectWise: nothing loads but its style,
 * and only `frameAncestors` may frame it (an empty list: nobody).
 */
export function framedPolicy(frameAncestors: readonly string[]): string {
  const ancestors = frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'";
  return `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors ${ancestors}`;
}

/** Sets the framing headers (replacing the API's `frame-ancestors 'none'` and X-Frame-Options). */
export function allowFraming(res: Response, frameAncestors: readonly string[]): void {
  res.removeHeader('X-Frame-Options');
  res.setHeader('Content-Security-Policy', framedPolicy(frameAncestors));
}

export function sendPage(res: Response, page: Page): void {
  const body = page.paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  res
    .status(page.status)
    .type('html')
    .send(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title><style>${STYLE}</style></head>\n<body><h1>${escapeHtml(page.title)}</h1>\n${body}\n</body></html>\n`,
    );
}
