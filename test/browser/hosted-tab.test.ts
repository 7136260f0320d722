import type { Page } from 'playwright-core';
import type { ConnectWiseClient } from '../../connectwise';
import type { Repositories } from '../../db';
import { HostedTabService } from '../../services/hosted-tab';
import { useConsoleStack } from './console-stack';

/**
 * The Hosted tab screen and the tab itself: install, verify, the DefensX tab in the simulator's
 * ConnectWise company screen showing the console's customer page of the mapped customer (and the
 * "map it first" page for an unmapped company), repair (a new token, the old URL 404s), remove;
 * a role without Manage Hosted API, and an engine without PUBLIC_BASE_URL.
 */
const ui = useConsoleStack();

const MAPPED = { customerId: 'dfx-cust-acme', companyId: 250 };
const UNMAPPED_COMPANY = 252;

interface SimSetup {
  id: number;
  description: string;
  url: string;
}
const ourSetups = async () =>
  ((await ui.stack.simulator.admin.state.hostedSetups()) as unknown as SimSetup[]).filter(
    (s) => s.description === 'DefensX',
  );
/** The address ConnectWise opens for a company, from a setup's URL (its real token included). */
const opened = (url: string, companyId: number) =>
  url.replace('[cw_id]', String(companyId)).replace('[cw_screen]', 'company');
const statusOf = async (url: string) => (await fetch(url, { redirect: 'manual' })).status;

/** The checks table as the partner reads it: check → ok/problem. */
async function checks(page: Page): Promise<Record<string, string>> {
  const table = page.getByRole('table', { name: 'Verification of the DefensX tab in ConnectWise' });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  const out: Record<string, string> = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out[(await row.locator('th').innerText()).trim()] = (
      await row.locator('td').first().innerText()
    ).trim();
  }
  return out;
}

test('install, verify, the tab in a ConnectWise company screen, repair, remove', async () => {
  const partner = await ui.partner('p-hosted');
  await ui.connect(partner);
  await ui.call(partner, 'PUT', '/connectwise/company-mappings', { mappings: [MAPPED] });

  const page = await ui.open(partner, '/hosted-tab');
  await page.getByRole('heading', { level: 1, name: 'Hosted tab' }).waitFor();
  await page.getByText('Not installed', { exact: true }).waitFor();
  expect(await checks(page)).toEqual({ 'Exists in ConnectWise': 'problem' });
  await page.getByText('ConnectWise has no hosted setup named DefensX').waitFor();
  await page.getByRole('heading', { name: 'Showing the tab in ConnectWise' }).waitFor();
  await page.getByText('The tab grants no access by itself').waitFor();
  await ui.expectAccessible(page, 'hosted tab (not installed)');

  // Install: ConnectWise (the simulator) holds our setup, and every check is ok.
  await page.getByRole('button', { name: 'Install' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: 'Installed: ConnectWise hosted setup' })
    .waitFor();
  await page.getByText('Installed, every check ok').waitFor();
  expect(await checks(page)).toEqual({
    'Exists in ConnectWise': 'ok',
    'On the Company screen': 'ok',
    'Shown as a tab': 'ok',
    Enabled: 'ok',
    'URL (the engine\u2019s address, current install token)': 'ok',
    'Origin (the engine\u2019s)': 'ok',
  });
  const [first] = await ourSetups();
  expect(first?.url).toMatch(/\/hosted\/connectwise\?t=[^&…]+&id=\[cw_id\]&screen=\[cw_screen\]$/);
  // The token stays in ConnectWise: the screen shows the URL with it hidden.
  await page.getByText('/hosted/connectwise?t=\u2026&id=[cw_id]&screen=[cw_screen]').waitFor();
  expect(await page.content()).not.toContain(first!.url.split('t=')[1]!.split('&')[0]);
  await page.getByRole('button', { name: 'Repair' }).waitFor();
  await ui.screenshot(page, 'hosted-tab');
  await ui.expectAccessible(page, 'hosted tab (installed)');
  // On a narrow window nothing is wider than the window (long URLs wrap).
  await page.setViewportSize({ width: 390, height: 800 });
  expect(
    await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
  ).toBeLessThanOrEqual(0);
  await ui.screenshot(page, 'hosted-tab-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });

  // ConnectWise's company screen, in a browser without the console's session: the DefensX tab
  // frames the console's (stand-in) page of the mapped customer.
  const cw = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const company = await cw.newPage();
  company.on('pageerror', (err) => errors.push(err.message));
  await company.goto(`${ui.stack.simulator.origin}/company-screen/${MAPPED.companyId}`);
  const tab = company.frameLocator('iframe[title="DefensX"]');
  await tab.getByRole('heading', { level: 1, name: `Customer ${MAPPED.customerId}` }).waitFor();
  await tab.getByText('Local stand-in for the DefensX vendor console').waitFor();
  await tab.getByText('no: this stand-in shows only the customer id').waitFor();
  await ui.screenshot(company, 'hosted-tab-in-connectwise');

  // An unmapped company: the tab says how to map it.
  await company.goto(`${ui.stack.simulator.origin}/company-screen/${UNMAPPED_COMPANY}`);
  await tab
    .getByRole('heading', { name: 'This company is not mapped to a DefensX customer' })
    .waitFor();
  await tab.getByText('Company Mapping', { exact: false }).first().waitFor();

  // Disabled in ConnectWise: Verify names the problem; Repair enables it again with a new
  // install token, so the old tab address answers 404 and the new one redirects.
  await ui.stack.simulator.admin.state.put('hostedSetups', {
    ...(first as unknown as { id: number }),
    disabledFlag: true,
  });
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('Installed, needs repair').waitFor();
  expect((await checks(page)).Enabled).toBe('problem');
  await page.getByText('disabled in ConnectWise; install again to repair it').waitFor();
  await ui.expectAccessible(page, 'hosted tab (needs repair)');
  await page.getByRole('button', { name: 'Repair' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: 'changed: URL, enabled' })
    .filter({ hasText: 'new install token' })
    .waitFor();
  await page.getByText('Installed, every check ok').waitFor();
  const [second] = await ourSetups();
  expect(second!.id).toBe(first!.id);
  expect(second!.url).not.toBe(first!.url);
  expect(await statusOf(opened(first!.url, MAPPED.companyId))).toBe(404);
  expect(await statusOf(opened(second!.url, MAPPED.companyId))).toBe(302);

  // Remove, confirmed in a dialog: gone from ConnectWise and from the company screen.
  await page.getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove the DefensX tab?' });
  await dialog.waitFor();
  await ui.expectAccessible(page, 'hosted tab (remove dialog)');
  await dialog.getByRole('button', { name: 'Remove the tab' }).click();
  await page.getByRole('status').filter({ hasText: 'Removed' }).waitFor();
  await page.getByText('Not installed', { exact: true }).waitFor();
  expect(await checks(page)).toEqual({ 'Exists in ConnectWise': 'problem' });
  expect(await ourSetups()).toEqual([]);
  expect(await statusOf(opened(second!.url, MAPPED.companyId))).toBe(404);
  await company.goto(`${ui.stack.simulator.origin}/company-screen/${MAPPED.companyId}`);
  await company.getByRole('heading', { level: 1, name: /Company: Acme Corp/ }).waitFor();
  expect(await company.locator('iframe[title="DefensX"]').count()).toBe(0);
  await page.getByRole('button', { name: 'Install' }).waitFor();

  await cw.close();
  expect(errors).toEqual([]);
  ui.expectNoPageErrors();
});

test('a role without Manage Hosted API, and an engine without PUBLIC_BASE_URL, are said plainly', async () => {
  const admin = ui.stack.simulator.admin;
  const items = await admin.state.collection('customizeItems');
  const hostedApi = items.find((i) => i.customizeIdentifier === 'SystemManageHostedApi');
  expect(hostedApi).toBeDefined();
  expect(await admin.security.revokeCustomizeItem('SystemManageHostedApi')).toBe(1);
  try {
    const page = await ui.open(ui.stack.demo, '/hosted-tab', { width: 390, height: 800 });
    const alert = page.getByRole('alert').filter({ hasText: 'Manage Hosted API' });
    await alert.waitFor();
    await page.getByRole('button', { name: 'Install' }).click();
    await alert.waitFor();
    expect(await alert.count()).toBe(1);
    await page.getByText('Grant \u201cManage Hosted API\u201d').waitFor();
    expect(await ourSetups()).toEqual([]);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await ui.screenshot(page, 'hosted-tab-denied-narrow');
    await ui.expectAccessible(page, 'hosted tab (Manage Hosted API denied, narrow)');
    await page.context().close();
  } finally {
    await admin.state.put('customizeItems', hostedApi!);
  }

  // The stack always has PUBLIC_BASE_URL, so the engine's answer without it is played to the
  // page: the service's own error, as the API's error body.
  const unconfigured = await new HostedTabService({
    repos: {} as Pick<Repositories, 'hostedTabTokens'>,
    publicBaseUrl: undefined,
  })
    .verify({} as ConnectWiseClient, { id: 'i', partnerId: 'p', tenantChanges: [] })
    .then(
      () => undefined,
      (err: { code: string; message: string }) => ({ code: err.code, message: err.message }),
    );
  expect(unconfigured?.code).toBe('hosted_tab_not_configured');
  const page = await ui.open(ui.stack.demo, '/hosted-tab');
  await page.route('**/v1/partners/*/connectwise/hosted-tab', (route) =>
    route.fulfill({ status: 503, json: { error: unconfigured } }),
  );
  await page.reload();
  await page.getByRole('alert').filter({ hasText: 'PUBLIC_BASE_URL' }).waitFor();
  await page.getByText('until its operator sets').waitFor();
  await ui.expectAccessible(page, 'hosted tab (no PUBLIC_BASE_URL)');
  // No expectNoPageErrors here: Chromium logs each 409/503 answer as a console error.
});
