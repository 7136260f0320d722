import type { Locator, Page } from 'playwright-core';
import { POLICY_DEFAULTS } from '../../console/src/screens/billing/defaults';
import { DEFAULT_BILLING_POLICY } from '../../domain/billing/settings';
import { useConsoleStack } from './console-stack';

/**
 * Agreement Mapping for Billing, clicked through on the real stack: a one-time agreement refused
 * with its reason, a recurring one saved, a bad value named at its field, product mappings, the
 * held run of approval mode rejected, Preview → Apply writing the usage into ConnectWise, and a
 * held run approved.
 */
const ui = useConsoleStack();
const LONG = { timeout: 45_000 };

/** The section of a plan for one agreement (its heading names customer and agreement). */
const agreementPlan = (scope: Page | Locator, agreementId: number) =>
  scope.getByRole('region', { name: new RegExp(`\\(#${agreementId}\\)$`) });

/** The cells of the operations table rows, as text (Action, SKU, Addition, From, To, …). */
async function operations(plan: Locator): Promise<string[][]> {
  const rows = plan.locator('table.operations tbody tr');
  // A plan's section can show before its operations are read: wait for the first row.
  await rows.first().waitFor(LONG);
  const cells: string[][] = [];
  for (const row of await rows.all()) cells.push(await row.locator('td').allInnerTexts());
  return cells;
}

test('the defaults the screen shows are the engine’s', () => {
  const { catalogDefaults: _none, ...engine } = DEFAULT_BILLING_POLICY;
  expect(POLICY_DEFAULTS).toEqual(engine);
});

test('agreements, policy, product mappings, a held run rejected, Preview → Apply, a held run approved', async () => {
  const sim = ui.stack.simulator.admin;
  const partner = await ui.partner('p-billing');
  await ui.connect(partner);
  // Acme on the company with the one-time agreement (301); Globex on a company whose recurring
  // agreement (309) no other partner of this stack bills.
  await ui.call(partner, 'PUT', '/connectwise/company-mappings', {
    mappings: [
      { customerId: 'dfx-cust-acme', companyId: 250 },
      { customerId: 'dfx-cust-globex', companyId: 251 },
    ],
  });
  // Globex's usage as the vendor pushed it: what the plan must bill.
  const GLOBEX = { browser: 20, dlp: 5 };
  await ui.call(partner, 'PUT', '/customers/dfx-cust-globex/usage', {
    usage: [
      { sku: 'DFX-BROWSER-SEAT', quantity: GLOBEX.browser },
      { sku: 'DFX-DLP-SEAT', quantity: GLOBEX.dlp },
    ],
  });

  const page = await ui.open(partner, '/billing');
  await page.getByRole('heading', { level: 1, name: 'Agreement Mapping for Billing' }).waitFor();

  // The one-time agreement: disabled, with the API's reason beside it, and it cannot be chosen.
  const acme = page.getByLabel('Agreement for Acme Corporation');
  const oneTime = acme.locator('option', { hasText: 'Acme Corp - Onboarding' });
  await oneTime.waitFor({ state: 'attached' });
  const reason =
    'This agreement is billed one time ("Bill one time" is set), so usage cannot be billed through it.';
  expect(await oneTime.isDisabled()).toBe(true);
  expect(await oneTime.textContent()).toContain(reason);
  const listed = page.locator('.ineligible li', { hasText: 'Acme Corp - Onboarding (#301)' });
  expect(await listed.innerText()).toContain(reason);
  await expect(acme.selectOption('301', { timeout: 1_000 })).rejects.toThrow();
  expect(await acme.inputValue()).toBe('');
  expect(
    await acme.locator('option', { hasText: 'Acme Corp - Managed Security' }).isDisabled(),
  ).toBe(false);
  await ui.expectAccessible(page, 'billing (loaded)');

  // Product mappings: an inactive item is refused at its row; an active one is saved.
  const browserItem = page.getByLabel('Catalog item id for DFX-BROWSER-SEAT');
  await browserItem.fill('1352');
  await page.getByRole('button', { name: 'Save product mappings' }).click();
  await page.getByText('catalog item "AV-LEGACY" (1352) is inactive').waitFor();
  expect(await browserItem.getAttribute('aria-invalid')).toBe('true');
  await ui.expectAccessible(page, 'billing (product mapping refused)');
  await browserItem.fill('1350');
  await page.getByRole('button', { name: 'Save product mappings' }).click();
  await page.getByText(/Product mappings saved/).waitFor();
  await page.getByText('DFX-BROWSER-SEC: DefensX Browser Security (#1350)').waitFor();
  const products = await ui.call(partner, 'GET', '/connectwise/product-mappings');
  expect(products.mappings).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ sku: 'DFX-BROWSER-SEAT', catalogItemId: 1350, source: 'partner' }),
    ]),
  );

  // Billing on, Globex's recurring agreement, approval mode, catalog defaults; a bad stale age.
  await page.getByRole('switch', { name: 'Bill usage into ConnectWise agreements' }).check();
  const globex = page.getByLabel('Agreement for Globex');
  await globex.locator('option', { hasText: 'ACME Corporation - Managed (#309)' }).waitFor({
    state: 'attached',
  });
  await globex.selectOption('309');
  await page.getByText('Active recurring agreement (Monthly).').waitFor();
  await page.getByLabel('Apply mode').selectOption('approve');
  await page.getByLabel('Product category').selectOption('2');
  await page.getByLabel('Product subcategory').locator('option[value="1"]').waitFor({
    state: 'attached',
  });
  await page.getByLabel('Product subcategory').selectOption('1');
  await page.getByLabel('Product type').selectOption('1');
  await page.getByLabel('Product class').selectOption('Service');
  const stale = page.getByLabel('Stale usage age (hours)');
  expect(await stale.inputValue()).toBe('48');
  await stale.fill('0');
  const save = page.getByRole('button', { name: 'Save Agreement Mapping' });
  await save.click();
  const staleError = page.getByText('must be a whole number of hours from 1 to 720');
  await staleError.waitFor();
  expect(await stale.getAttribute('aria-invalid')).toBe('true');
  const describedBy = (await stale.getAttribute('aria-describedby')) ?? '';
  expect(await staleError.getAttribute('id')).toBeTruthy();
  expect(describedBy).toContain((await staleError.getAttribute('id')) ?? 'none');
  expect((await ui.call(partner, 'GET', '/connectwise/billing-settings')).enabled).toBe(false);
  await ui.expectAccessible(page, 'billing (field error)');

  await stale.fill('48');
  await save.click();
  await page.getByText(/Agreement mapping saved/).waitFor();
  const held = await ui.call(partner, 'GET', '/connectwise/billing-settings');
  expect(held).toMatchObject({
    enabled: true,
    agreements: [{ customerId: 'dfx-cust-globex', agreementId: 309 }],
    apply: 'approve',
    staleUsageHours: 48,
    catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' },
  });
  await ui.screenshot(page, 'billing');
  await ui.expectAccessible(page, 'billing (saved)');

  // The save queued a run; in approval mode it holds its plan: shown, then rejected.
  const waiting = page.getByRole('region', { name: /waiting for a decision/ });
  await waiting.waitFor(LONG);
  const heldPlan = agreementPlan(waiting, 309);
  await heldPlan.waitFor();
  expect(await heldPlan.innerText()).toContain('Apply mode is "approve"');
  await ui.expectAccessible(page, 'billing (pending approval)');
  await waiting.getByRole('button', { name: 'Reject' }).click();
  await page.getByText(/Rejected: nothing of the 1 agreement held is written/).waitFor();
  expect(await sim.state.additions(309)).toEqual([]);

  // Preview: creates with Globex's usage (20 browser seats, 5 DLP seats), nothing written.
  await page.getByRole('button', { name: 'Preview' }).click();
  const plan = agreementPlan(page.getByRole('region', { name: 'Billing plan' }), 309);
  await plan.waitFor(LONG);
  expect(await plan.getByRole('heading').innerText()).toBe(
    'Globex: ACME Corporation - Managed (#309)',
  );
  const ops = await operations(plan);
  const today = new Date().toISOString().slice(0, 10);
  expect(ops.map((c) => c.slice(0, 5))).toEqual(
    expect.arrayContaining([
      ['Create', 'DFX-BROWSER-SEAT', 'new', '—', String(GLOBEX.browser)],
      ['Create', 'DFX-DLP-SEAT', 'new', '—', String(GLOBEX.dlp)],
    ]),
  );
  expect(ops).toHaveLength(2);
  // The billing day is the MSP's (ConnectWise's zone): today or yesterday in UTC terms.
  for (const op of ops) expect(op[5]! <= today).toBe(true);
  expect(await sim.state.additions(309)).toEqual([]);
  await ui.screenshot(page, 'billing-preview');
  await ui.expectAccessible(page, 'billing (preview)');

  // The vendor pushes new usage meanwhile: Apply answers 409 and the new plan is shown instead.
  GLOBEX.browser = 22;
  await ui.call(partner, 'PUT', '/customers/dfx-cust-globex/usage', {
    usage: [
      { sku: 'DFX-BROWSER-SEAT', quantity: GLOBEX.browser },
      { sku: 'DFX-DLP-SEAT', quantity: GLOBEX.dlp },
    ],
  });
  const previewedHash = await page.locator('.preview .plan-meta code').innerText();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText(/The plan changed since that preview/).waitFor(LONG);
  expect(await page.locator('.preview .plan-meta code').innerText()).not.toBe(previewedHash);
  expect((await operations(plan)).map((c) => c.slice(0, 5))).toEqual(
    expect.arrayContaining([['Create', 'DFX-BROWSER-SEAT', 'new', '—', '22']]),
  );
  expect(await sim.state.additions(309)).toEqual([]);
  await ui.expectAccessible(page, 'billing (plan changed)');

  // Apply the new plan: a run that writes only it; it is followed until it ends.
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('Applying: a run was queued that writes only this plan.').waitFor();
  const runLine = page.locator('.preview .run-line');
  expect(await runLine.innerText()).toMatch(/Run billing-run:[^ ]+:/);
  expect(
    await runLine.getByRole('link', { name: 'Follow it on Status' }).getAttribute('href'),
  ).toBe('/console/status');
  await runLine.getByText('succeeded').waitFor(LONG);
  const written = await sim.state.additions(309);
  const catalog = await sim.state.catalog();
  const skuOf = (productId: number) =>
    productId === 1350 ? 'DFX-BROWSER-SEAT' : catalog.find((c) => c.id === productId)?.identifier;
  expect(
    written
      .map((a) => [skuOf(a.product.id), a.quantity])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  ).toEqual([
    ['DFX-BROWSER-SEAT', GLOBEX.browser],
    ['DFX-DLP-SEAT', GLOBEX.dlp],
  ]);

  // Approval mode: new usage, Synchronize; the run holds the update until it is approved.
  await ui.call(partner, 'PUT', '/customers/dfx-cust-globex/usage', {
    usage: [
      { sku: 'DFX-BROWSER-SEAT', quantity: 30 },
      { sku: 'DFX-DLP-SEAT', quantity: GLOBEX.dlp },
    ],
  });
  const sync = await ui.call(partner, 'POST', '/connectwise/synchronize');
  const again = page.getByRole('region', {
    name: `Run ${sync.runWorkflowId} waiting for a decision`,
  });
  await again.waitFor(LONG);
  const update = await operations(agreementPlan(again, 309));
  expect(update.map((c) => c.slice(0, 5))).toEqual([
    ['Update', 'DFX-BROWSER-SEAT', expect.stringMatching(/^#\d+$/), String(GLOBEX.browser), '30'],
  ]);
  await again.getByRole('button', { name: 'Approve' }).click();
  await page.getByText(/Approved: the run writes the held plan of 1 agreement/).waitFor();
  await page.locator('.approvals .run-line').getByText('succeeded').waitFor(LONG);
  const after = await sim.state.additions(309);
  expect(after.find((a) => a.product.id === 1350)?.quantity).toBe(30);

  // The browser seat's catalog item given back to the engine.
  await page.getByRole('button', { name: "Use the engine's choice for DFX-BROWSER-SEAT" }).click();
  expect(await browserItem.inputValue()).toBe('');
  await page.getByRole('button', { name: 'Save product mappings' }).click();
  await page.getByText('Product mappings saved (1 product).', { exact: false }).waitFor();
  const given = await ui.call(partner, 'GET', '/connectwise/product-mappings');
  expect(
    given.mappings.find((m: { sku: string }) => m.sku === 'DFX-BROWSER-SEAT')?.source,
  ).not.toBe('partner');
  ui.expectNoPageErrors();
}, 180_000);

test('the demo partner’s agreements on a narrow window', async () => {
  const page = await ui.open(ui.stack.demo, '/billing', { width: 390, height: 800 });
  await page.getByRole('heading', { level: 1, name: 'Agreement Mapping for Billing' }).waitFor();
  const acme = page.getByLabel('Agreement for Acme Corporation');
  await acme.locator('option', { hasText: 'Acme Corp - Managed Security (#300)' }).waitFor({
    state: 'attached',
  });
  // Every customer's agreements read from ConnectWise (Globex's is annual, the others monthly).
  await page.getByText('Active recurring agreement (Annual).').waitFor();
  expect(await page.getByText('Active recurring agreement (Monthly).').count()).toBe(2);
  expect(await acme.inputValue()).toBe('300');
  expect(await page.getByLabel('Agreement for Umbrella Health Inc.').inputValue()).toBe('307');
  await page.getByText('DFX-BROWSER-SEAT', { exact: true }).waitFor();
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await ui.screenshot(page, 'billing-narrow');
  await ui.expectAccessible(page, 'billing (narrow)');
  ui.expectNoPageErrors();
});

test('without an integration the screen says where to start', async () => {
  const partner = await ui.partner('p-billing-none');
  const page = await ui.open(partner, '/billing');
  await page.getByText('There is no ConnectWise integration yet').waitFor();
  expect(
    await page.getByRole('link', { name: 'Integration details' }).last().getAttribute('href'),
  ).toBe('/console/integration');
  expect(await page.getByRole('button', { name: 'Preview' }).count()).toBe(0);
  await ui.expectAccessible(page, 'billing (no integration)');
});
