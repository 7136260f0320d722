import type { Request, Response } from 'express';
import type { SimRecord } from './resources';
import type { Store } from './store';

/** Text for HTML content and double-quoted attributes. */
const escape = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

const SCREEN = 'company';

/** ConnectWise fills these two tokens of a hosted setup's URL when it opens the tab. */
export const substituteTokens = (url: string, companyId: number): string =>
  url.replaceAll('[cw_id]', String(companyId)).replaceAll('[cw_screen]', SCREEN);

/** The enabled hosted tabs registered for the Company screen, in id order. */
function companyTabs(store: Store): SimRecord[] {
  const screen = store.list('hostedScreens').find((s) => s.screenId === SCREEN);
  if (!screen) return [];
  return store
    .list('hostedSetups')
    .filter((s) => s.screenId === screen.id && s.type === 'Tab' && s.disabledFlag !== true);
}

function tabSection(setup: SimRecord, companyId: number): string {
  const name = escape(String(setup.description));
  const src = escape(substituteTokens(String(setup.url), companyId));
  return `<section><h2>${name}</h2>\n<iframe title="${name}" src="${src}" width="100%" height="420"></iframe></section>`;
}

/**
 * `GET /company-screen/{companyId}`: a minimal stand-in for ConnectWise's company screen, outside
 * the API and without auth, that frames every hosted tab registered for the Company screen with
 * `[cw_id]` and `[cw_screen]` substituted, so a hosted tab can be seen (and tested) locally.
 */
export function companyScreen(store: Store) {
  return (req: Request, res: Response): void => {
    const companyId = Number(req.params.companyId);
    const company = Number.isSafeInteger(companyId) ? store.get('companies', companyId) : undefined;
    if (!company) {
      res.status(404).type('html').send('<!doctype html><p>No such company.</p>\n');
      return;
    }
    const tabs = companyTabs(store).map((s) => tabSection(s, companyId));
    const title = `${escape(String(company.name))} (${companyId})`;
    res
      .type('html')
      .send(
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Company: ${title}</title></head>\n<body><h1>Company: ${title}</h1>\n${tabs.join('\n') || '<p>No hosted tabs on the Company screen.</p>'}\n</body></html>\n`,
      );
  };
}
