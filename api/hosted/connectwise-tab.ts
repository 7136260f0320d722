import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import type { Repositories } from '../../db';
import { connectWiseOriginsOf } from '../../services/connectwise-origins';
import { integrationOfToken } from '../../services/hosted-tab-token';
import { allowFraming, escapeHtml, sendPage, type Page } from './page';

export interface HostedRouterDeps {
  repos: Pick<Repositories, 'hostedTabTokens' | 'integrations' | 'companyMappings'>;
  config: Pick<Config, 'VENDOR_CONSOLE_CUSTOMER_URL' | 'NODE_ENV'>;
}

const param = (req: Request, name: string): string => {
  const v = req.query[name];
  return typeof v === 'string' ? v : '';
};

const consoleUrl = (template: string, customerId: string) =>
  template.replaceAll('{customerId}', encodeURIComponent(customerId));

/**
 * `GET /hosted/connectwise?t=<install token>&id=[cw_id]&screen=[cw_screen]`, the page ConnectWise
 * frames in its company screens. No bearer token: the install token says which integration, the
 * company id which customer, and the answer is a redirect to the vendor console's page of that
 * customer, which asks for its own sign-in. The tab grants no access by itself.
 */
async function openTab(deps: HostedRouterDeps, req: Request, res: Response): Promise<void> {
  const integration = await integrationOfToken(deps.repos, param(req, 't'));
  if (!integration) {
    // Nothing here but a static message, so any ConnectWise may show it (no integration, no origin).
    allowFraming(res, ['*']);
    sendPage(res, {
      status: 404,
      title: 'This DefensX tab is no longer installed',
      paragraphs: [
        'Its address is unknown or was replaced by a newer install. Ask your administrator to install the DefensX tab again from the DefensX partner portal (ConnectWise \u2192 Hosted tab), then reload this screen.',
      ],
    });
    return;
  }
  allowFraming(res, connectWiseOriginsOf(integration));
  const companyId = Number(param(req, 'id'));
  const screen = param(req, 'screen').toLowerCase();
  // On another screen `[cw_id]` would be a contact's or a ticket's id, not a company's.
  if (
    !Number.isSafeInteger(companyId) ||
    companyId < 1 ||
    (screen !== '' && screen !== 'company')
  ) {
    sendPage(res, {
      status: 400,
      title: 'Open this tab from a ConnectWise company',
      paragraphs: ['The DefensX tab shows the DefensX customer of the company it is opened on.'],
    });
    return;
  }
  const customers = await deps.repos.companyMappings.customersOf(
    integration.partnerId,
    integration.id,
    companyId,
  );
  const template = deps.config.VENDOR_CONSOLE_CUSTOMER_URL;
  if (customers.length === 0 || template === undefined) {
    sendPage(res, noRedirectPage(companyId, template === undefined));
    return;
  }
  if (customers.length === 1) {
    res.redirect(302, consoleUrl(template, customers[0]!));
    return;
  }
  sendPage(res, {
    status: 200,
    title: 'Several DefensX customers use this company',
    paragraphs: customers.map(
      (c) => `<a href="${escapeHtml(consoleUrl(template, c))}">${escapeHtml(c)}</a>`,
    ),
  });
}

/** Why the tab cannot redirect: no console address configured, or the company is unmapped. */
function noRedirectPage(companyId: number, unconfigured: boolean): Page {
  if (unconfigured) {
    return {
      status: 503,
      title: 'The DefensX console address is not configured',
      paragraphs: ['The engine has no VENDOR_CONSOLE_CUSTOMER_URL; its operator sets it.'],
    };
  }
  return {
    status: 200,
    title: 'This company is not mapped to a DefensX customer',
    paragraphs: [
      `ConnectWise company <code>${companyId}</code> is not the company of any DefensX customer of this partner.`,
      'To map it: in the DefensX partner portal open ConnectWise \u2192 Company Mapping, pick this company for the customer, press Save Company Mapping, then reload this screen.',
    ],
  };
}

export function hostedRouter(deps: HostedRouterDeps): Router {
  const router = Router();
  router.get('/connectwise', (req, res, next) => {
    openTab(deps, req, res).catch(next);
  });
  return router;
}
