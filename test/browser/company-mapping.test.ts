import type { Page } from 'playwright-core';
import { useConsoleStack } from './console-stack';

/**
 * Company Mapping: suggestions applied only by a click, a company found by searching (keyboard),
 * an exclusion, a save refused on the row it names (all or nothing), then a save the API holds
 * exactly; companies renamed or deleted in ConnectWise afterwards are flagged.
 */
const ui = useConsoleStack();

interface MappingView {
  customerId: string;
  status: 'mapped' | 'excluded' | 'unmapped';
  companyId: number | null;
  suggestions: Array<{ companyId: number; name: string }>;
}

const row = (page: Page, customerId: string) =>
  page.locator('tbody tr', { has: page.getByText(customerId, { exact: true }) });

test('map companies: a suggestion, a search, an exclusion; a refused save names its row', async () => {
  const partner = await ui.partner('p-map');
  await ui.connect(partner);
  const admin = ui.stack.simulator.admin;
  const mappings = async () =>
    (
      (await ui.call(partner, 'GET', '/connectwise/company-mappings')) as {
        mappings: MappingView[];
      }
    ).mappings;
  const before = await mappings();
  expect(before.every((m) => m.status === 'unmapped')).toBe(true);
  const acme = before.find((m) => m.customerId === 'dfx-cust-acme');
  const suggestion = acme?.suggestions[0];
  if (!suggestion) throw new Error('the API suggests no company for Acme Corporation');

  const page = await ui.open(partner, '/company-mapping');
  await page.getByRole('heading', { level: 1, name: 'Company Mapping' }).waitFor();
  const acmeRow = row(page, 'dfx-cust-acme');
  // The suggestions are offered, not applied.
  const use = acmeRow.getByRole('button', { name: `Use ${suggestion.name}`, exact: true });
  await use.waitFor();
  expect(await acmeRow.getByTestId('choice').innerText()).toContain('Not mapped yet');
  expect(await acmeRow.getByRole('button', { name: /^Use / }).count()).toBeLessThanOrEqual(3);
  await ui.expectAccessible(page, 'company mapping');

  await use.click();
  expect(await acmeRow.getByTestId('choice').innerText()).toContain(suggestion.name);
  expect(await use.getAttribute('aria-pressed')).toBe('true');

  // Another company by searching, with the keyboard only.
  const globexRow = row(page, 'dfx-cust-globex');
  const search = globexRow.getByRole('combobox', {
    name: 'Search ConnectWise companies for Globex',
  });
  await search.fill('Wayne');
  await globexRow.getByRole('option', { name: /Wayne Enterprises/ }).waitFor();
  await search.press('ArrowDown');
  expect(await search.getAttribute('aria-activedescendant')).toBeTruthy();
  await search.press('Enter');
  expect(await globexRow.getByTestId('choice').innerText()).toContain('Wayne Enterprises');
  expect(await globexRow.getByRole('option').count()).toBe(0);

  await row(page, 'dfx-cust-initech')
    .getByRole('button', { name: 'Exclude Initech LLC', exact: true })
    .click();

  // A company picked by mouse, then deleted in ConnectWise before the save: the API refuses the
  // whole save and names that row.
  const umbrellaRow = row(page, 'dfx-cust-umbrella');
  await umbrellaRow.getByRole('combobox').fill('Stark');
  await umbrellaRow.getByRole('option', { name: /Stark Industries/ }).click();
  expect(await umbrellaRow.getByTestId('choice').innerText()).toContain('Stark Industries');
  const companies = await admin.state.companies();
  const stark = companies.find((c) => c.name === 'Stark Industries');
  if (!stark) throw new Error('the simulator has no Stark Industries');
  await admin.state.put('companies', { ...stark, deletedFlag: true });
  try {
    await page.getByRole('button', { name: 'Save Company Mapping' }).click();
    await umbrellaRow.getByText(`ConnectWise company ${stark.id} is deleted`).waitFor();
    expect(await umbrellaRow.getByRole('combobox').getAttribute('aria-invalid')).toBe('true');
    expect(await row(page, 'dfx-cust-acme').locator('.field-error').count()).toBe(0);
    await page.getByRole('alert').getByText('Nothing was saved').waitFor();
    expect((await mappings()).every((m) => m.status === 'unmapped')).toBe(true);
    await ui.expectAccessible(page, 'company mapping with a refused row');
  } finally {
    await admin.state.put('companies', stark);
  }

  await umbrellaRow
    .getByRole('button', { name: 'Exclude Umbrella Health Inc.', exact: true })
    .click();
  await page.getByRole('button', { name: 'Save Company Mapping' }).click();
  await page
    .getByRole('status')
    .getByText('Company mapping saved: 2 mapped, 3 excluded.')
    .waitFor();
  const after = Object.fromEntries(
    (await mappings()).map((m) => [m.customerId, [m.status, m.companyId]]),
  );
  const wayne = companies.find((c) => c.name === 'Wayne Enterprises');
  expect(after).toEqual({
    'dfx-cust-acme': ['mapped', suggestion.companyId],
    'dfx-cust-globex': ['mapped', wayne?.id],
    'dfx-cust-initech': ['excluded', null],
    'dfx-cust-umbrella': ['excluded', null],
    'dfx-cust-newco': ['excluded', null],
  });
  expect(await page.getByText('No unsaved changes').count()).toBe(1);
  await ui.screenshot(page, 'company-mapping');

  // ConnectWise renames one mapped company and deletes the other: both are flagged.
  const acmeCompany = companies.find((c) => c.id === suggestion.companyId);
  if (!wayne || !acmeCompany) throw new Error('the simulator lost a company');
  await admin.state.put('companies', { ...wayne, name: 'Wayne Enterprises Global' });
  await admin.state.put('companies', { ...acmeCompany, deletedFlag: true });
  try {
    await page.reload();
    const flagged = row(page, 'dfx-cust-globex');
    await flagged.getByText('Renamed in ConnectWise').waitFor();
    expect(await flagged.innerText()).toContain(
      'was “Wayne Enterprises”, now “Wayne Enterprises Global”',
    );
    await row(page, 'dfx-cust-acme').getByText('Deleted in ConnectWise').waitFor();
    await ui.expectAccessible(page, 'company mapping with flags');

    // A narrow window: each customer a card, nothing wider than the screen.
    const narrow = await ui.open(partner, '/company-mapping', { width: 390, height: 800 });
    await row(narrow, 'dfx-cust-globex').getByText('Renamed in ConnectWise').waitFor();
    expect(
      await narrow.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBe(0);
    await ui.screenshot(narrow, 'company-mapping-narrow');
    await ui.expectAccessible(narrow, 'company mapping (narrow)');
  } finally {
    await admin.state.put('companies', wayne);
    await admin.state.put('companies', acmeCompany);
  }
  ui.expectNoPageErrors();
}, 60_000);

test('a refusal naming no row says its own words; a choice made while saving is kept', async () => {
  const partner = await ui.partner('p-map-keep');
  await ui.connect(partner);
  const page = await ui.open(partner, '/company-mapping');
  const routes = '**/v1/partners/*/connectwise/company-mappings';
  const acmeRow = row(page, 'dfx-cust-acme');
  const use = acmeRow.getByRole('button', { name: /^Use / }).first();
  await use.click();

  // An answer with no field (here a 409): its message, not "0 rows to fix".
  const refuse = (route: import('playwright-core').Route) =>
    route.request().method() === 'PUT'
      ? route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({
            error: { code: 'integration_not_active', message: 'the integration is paused' },
          }),
        })
      : route.continue();
  await page.route(routes, refuse);
  await page.getByRole('button', { name: 'Save Company Mapping' }).click();
  await page.getByRole('alert').getByText('the integration is paused').waitFor();
  expect(await page.getByText('Nothing was saved').count()).toBe(0);
  await page.unroute(routes, refuse);

  // The save held on its way: a company picked for Globex meanwhile is not wiped by its end.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const hold = async (route: import('playwright-core').Route) => {
    if (route.request().method() === 'PUT') await held;
    await route.continue();
  };
  await page.route(routes, hold);
  await page.getByRole('button', { name: 'Save Company Mapping' }).click();
  const globexRow = row(page, 'dfx-cust-globex');
  await globexRow.getByRole('combobox').fill('Wayne');
  await globexRow.getByRole('option', { name: /Wayne Enterprises/ }).click();
  release();
  await page.getByRole('status').getByText('Company mapping saved: 1 mapped').waitFor();
  expect(await globexRow.getByTestId('choice').innerText()).toContain('Wayne Enterprises');
  await page.getByText('1 unsaved change', { exact: true }).waitFor();
  await page.unroute(routes, hold);
  ui.expectNoPageErrors();
}, 60_000);
