import type { Page } from 'playwright-core';
import { useConsoleStack } from './console-stack';
import { fillCredentials, roleRows, withRevokedLine } from './steps';

/**
 * The seed's whole walk, in one browser window, as a new partner would do it with nothing but the
 * console: sign in → the simulator's credentials → Test Connection all ok → a role line revoked in
 * ConnectWise is named → Create Integration → a suggested company accepted → ticket settings →
 * agreement mapping (the one-time agreement refused with its reason) → Preview → Synchronize →
 * the run's changes in the history → the hosted tab installed → the simulator's company screen
 * shows the DefensX tab with the vendor console's page of the mapped customer. And the console's
 * frame: the sign-in link (the token leaves the address bar and stays in this tab only), the six
 * screens in the seed's order, signing in by hand, a narrow window, signing out.
 */
const ui = useConsoleStack();
const LONG = { timeout: 45_000 };
const ACME = { customerId: 'dfx-cust-acme', companyId: 250, agreementId: 300, oneTime: 301 };

async function go(page: Page, screen: string) {
  await page
    .getByRole('navigation', { name: 'Integration' })
    .getByRole('link', { name: screen })
    .click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}

test('the seed flow, from sign-in to the DefensX tab inside ConnectWise', async () => {
  const partner = await ui.partner('p-seed');
  const sim = ui.stack.simulator.admin;
  const page = await ui.open(partner, '/');

  // 1. Integration details: Test Connection, a revoked role line named, Create Integration.
  await page.getByRole('heading', { level: 1, name: 'Integration details' }).waitFor();
  await fillCredentials(ui, page);
  const dialog = page.getByRole('dialog', { name: 'Test Connection' });
  const testConnection = page.getByRole('button', { name: 'Test Connection', exact: true });
  await testConnection.click();
  await dialog.getByText('Test Connection passed').waitFor();
  expect((await roleRows(page)).filter(([, result]) => result !== 'ok')).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await withRevokedLine(ui, 'Finance/Agreements', async () => {
    await testConnection.click();
    await dialog.getByText('Test Connection did not pass').waitFor();
    const missing = (await roleRows(page)).filter(([, result]) => result !== 'ok');
    expect(missing.map(([line]) => line)).toEqual(['Finance → Agreements']);
    expect(missing[0]?.[1]).toContain('Finance → Agreements: Add is None, needs All');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
  await testConnection.click();
  await dialog.getByText('Test Connection passed').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Create Integration' }).click();
  await page.getByRole('status').getByText('Integration created').waitFor();
  expect(await ui.call(partner, 'GET', '/connectwise/integration')).toMatchObject({
    state: 'active',
  });
  await ui.screenshot(page, 'seed-1-integration-details');

  // 2. Company Mapping: the engine's suggestion for Acme, accepted by a click, saved.
  await go(page, 'Company Mapping');
  const suggested = (await ui.call(partner, 'GET', '/connectwise/company-mappings')).mappings
    .find((m: { customerId: string }) => m.customerId === ACME.customerId)
    .suggestions.findIndex((s: { companyId: number }) => s.companyId === ACME.companyId);
  expect(suggested).toBeGreaterThanOrEqual(0);
  const acmeRow = page.locator('tbody tr', {
    has: page.getByText(ACME.customerId, { exact: true }),
  });
  await acmeRow.getByRole('button', { name: /^Use / }).nth(suggested).click();
  await page.getByRole('button', { name: 'Save Company Mapping' }).click();
  await page.getByRole('status').filter({ hasText: /saved/i }).waitFor();
  const saved = (await ui.call(partner, 'GET', '/connectwise/company-mappings')).mappings;
  expect(saved.find((m: { customerId: string }) => m.customerId === ACME.customerId)).toMatchObject(
    { status: 'mapped', companyId: ACME.companyId },
  );
  await ui.screenshot(page, 'seed-2-company-mapping');

  // 3. Service Ticket Integration.
  await go(page, 'Service Ticket Integration');
  await page.getByRole('switch', { name: 'Create tickets for security events' }).check();
  await page.getByLabel('Service Board').selectOption({ label: 'Security Alerts' });
  await page.getByLabel('Source').selectOption({ label: 'Integration' });
  await page.getByLabel('Initial Status').selectOption({ label: 'New' });
  await page.getByLabel('Closing Status').selectOption({ label: 'Closed' });
  await page.getByRole('button', { name: 'Save Ticket Configuration' }).click();
  await page.getByRole('status').filter({ hasText: 'Ticket configuration saved' }).waitFor();
  expect(await ui.call(partner, 'GET', '/connectwise/ticket-settings')).toMatchObject({
    enabled: true,
  });
  await ui.screenshot(page, 'seed-3-ticket-integration');

  // 4. Agreement Mapping for Billing: the one-time agreement cannot be chosen; the recurring one is.
  await go(page, 'Agreement Mapping for Billing');
  const agreement = page.getByLabel('Agreement for Acme Corporation');
  const oneTime = agreement.locator('option', { hasText: `(#${ACME.oneTime})` });
  await oneTime.waitFor({ state: 'attached' });
  expect(await oneTime.isDisabled()).toBe(true);
  expect(await oneTime.textContent()).toContain('billed one time');
  await page.getByRole('switch', { name: 'Bill usage into ConnectWise agreements' }).check();
  await agreement.selectOption(String(ACME.agreementId));
  await page.getByLabel('Product category').selectOption('2');
  await page.getByLabel('Product subcategory').locator('option[value="1"]').waitFor({
    state: 'attached',
  });
  await page.getByLabel('Product subcategory').selectOption('1');
  await page.getByLabel('Product type').selectOption('1');
  await page.getByLabel('Product class').selectOption('Service');
  await page.getByRole('button', { name: 'Save Agreement Mapping' }).click();
  await page.getByText(/Agreement mapping saved/).waitFor();
  // Saving queues a run; Acme's agreement already bills the product by hand (addition #5001,
  // DFX-BROWSER-SEC), so it waits for the partner: adopted, it bills Acme's 10 browser seats.
  const acmePlan = page
    .getByRole('region', { name: 'Pending approvals' })
    .getByRole('region', { name: new RegExp(`\\(#${ACME.agreementId}\\)$`) });
  await acmePlan.waitFor(LONG);
  await acmePlan
    .getByRole('group', { name: /^Addition #5001 may already bill/ })
    .getByRole('radio', { name: /^Adopt/ })
    .check();
  await acmePlan.getByRole('button', { name: 'Approve' }).click();
  await waitForAddition(ACME.agreementId, 10);
  // Then the vendor reports 12: Preview shows that exact change, and nothing is written by it.
  await ui.call(partner, 'PUT', `/customers/${ACME.customerId}/usage`, {
    usage: [
      { sku: 'DFX-BROWSER-SEAT', quantity: 12 },
      { sku: 'DFX-DLP-SEAT', quantity: 0 },
    ],
  });
  await page.getByRole('button', { name: 'Preview' }).click();
  const plan = page
    .getByRole('region', { name: 'Billing plan' })
    .getByRole('region', { name: new RegExp(`\\(#${ACME.agreementId}\\)$`) });
  await plan.locator('table.operations tbody tr').first().waitFor(LONG);
  const rows = await plan.locator('table.operations tbody tr').all();
  const cells = await Promise.all(rows.map((r) => r.locator('td').allInnerTexts()));
  expect(cells.map((c) => c.slice(0, 5))).toContainEqual([
    'Update',
    'DFX-BROWSER-SEAT',
    expect.stringMatching(/^#\d+$/),
    '10',
    '12',
  ]);
  expect((await sim.state.additions(ACME.agreementId)).map((a) => a.quantity)).toContain(10);
  await ui.screenshot(page, 'seed-4-agreement-mapping');

  // 5. Status: Synchronize, the run succeeds, and its change is in the history.
  await go(page, 'Status');
  await page.getByRole('button', { name: 'Synchronize' }).click();
  await page.getByRole('status').filter({ hasText: 'The synchronization finished' }).waitFor(LONG);
  const run = (await ui.call(partner, 'GET', '/connectwise/sync-runs?trigger=manual')).runs[0];
  expect(run.outcome).toBe('succeeded');
  const history = page.getByRole('region', { name: 'History' });
  await history
    .locator(`tr[data-run-id="${run.id}"]`)
    .getByRole('button', { name: /^Open/ })
    .click();
  const detail = page.getByRole('region', { name: 'Run details' });
  await detail.getByRole('heading', { name: 'Billing changes' }).waitFor();
  await detail
    .getByRole('row')
    .filter({ hasText: 'DFX-BROWSER-SEAT' })
    .filter({ hasText: '10 → 12' })
    .waitFor();
  expect((await sim.state.additions(ACME.agreementId)).map((a) => a.quantity)).toContain(12);
  await ui.screenshot(page, 'seed-5-status');

  // 6. Hosted tab: install, then ConnectWise's company screen shows the mapped customer's page.
  await go(page, 'Hosted tab');
  await page.getByRole('button', { name: 'Install' }).click();
  await page.getByText('Installed, every check ok').waitFor(LONG);
  await ui.screenshot(page, 'seed-6-hosted-tab');
  const cw = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const company = await cw.newPage();
  await company.goto(`${ui.stack.simulator.origin}/company-screen/${ACME.companyId}`);
  await company
    .frameLocator('iframe[title="DefensX"]')
    .getByRole('heading', { level: 1, name: `Customer ${ACME.customerId}` })
    .waitFor();
  await ui.screenshot(company, 'seed-7-connectwise-company-screen');
  await cw.close();
  ui.expectNoPageErrors();

  /** Until ConnectWise holds an open addition of `quantity` on the agreement. */
  async function waitForAddition(agreementId: number, quantity: number) {
    const deadline = Date.now() + LONG.timeout;
    while (!(await sim.state.additions(agreementId)).some((a) => a.quantity === quantity)) {
      if (Date.now() > deadline) throw new Error(`no addition of ${quantity} on ${agreementId}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}, 170_000);

test('the sign-in link signs in, hides the token, and the six screens are one click away', async () => {
  const partner = await ui.partner('p-shell');
  const page = await ui.open(partner, '/');
  await page.getByRole('heading', { level: 1, name: 'Integration details' }).waitFor();
  expect(page.url()).toBe(`${ui.stack.apiUrl}/console/integration`);
  expect(page.url()).not.toContain(partner.token);
  const stored = await page.evaluate<string>('JSON.stringify(sessionStorage)');
  expect(stored).toContain(partner.token);

  const nav = page.getByRole('navigation', { name: 'Integration' });
  const links = await nav.getByRole('link').allTextContents();
  expect(links).toEqual([
    'Integration details',
    'Company Mapping',
    'Service Ticket Integration',
    'Agreement Mapping for Billing',
    'Status',
    'Hosted tab',
  ]);
  await nav.getByRole('link', { name: 'Status' }).click();
  await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
  expect(await nav.getByRole('link', { name: 'Status' }).getAttribute('aria-current')).toBe('page');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
  ui.expectNoPageErrors();
});

test('signing in by hand, and the frame on a narrow window, with no accessibility violation', async () => {
  const partner = await ui.partner('p-shell-hand');
  const context = await ui.browser.newContext({ viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${ui.stack.apiUrl}/console/`);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await ui.expectAccessible(page, 'sign in');
  await page.getByLabel('Partner ID').fill(partner.partnerId);
  await page.getByLabel('API token').fill(partner.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Integration details' }).waitFor();
  // Nothing wider than the window: the navigation wraps instead.
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await ui.screenshot(page, 'shell-narrow');
  await ui.expectAccessible(page, 'shell (narrow)');
  await context.close();
});
