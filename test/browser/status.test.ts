import type { Locator } from 'playwright-core';
import { useConsoleStack } from './console-stack';

/**
 * Status: the demo partner (connected, mapped, billing on) presses Synchronize, watches the run's
 * progress, finds it in the history as partial (Acme's agreement waits for the partner's decision
 * on an addition entered by hand), opens it and sees the additions it created (as
 * the API's run detail and ConnectWise hold them), with the run's link into the Temporal UI; the
 * history pages.
 */
const ui = useConsoleStack();

const cellsOf = async (rows: Locator): Promise<string[][]> => {
  const out: string[][] = [];
  for (const row of await rows.all()) out.push(await row.locator('td').allTextContents());
  return out;
};

test('Synchronize shows progress, the run lands in the history, and its changes match the API', async () => {
  const demo = ui.stack.demo;
  // One row a page, so the history pages as soon as there are two runs.
  const page = await ui.open(demo, '/status?pageSize=1');
  await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
  await page.locator('.status-overview').getByText('active', { exact: true }).waitFor();
  await ui.expectAccessible(page, 'status');

  // Each addition ConnectWise creates takes a moment, so the run's progress can be watched.
  const admin = ui.stack.simulator.admin;
  await admin.faults.add({ kind: 'latency', ms: 700, method: 'POST', pathPattern: 'additions' });
  const additionsBefore = (await admin.state.additions()).length;

  await page.getByRole('button', { name: 'Synchronize' }).click();
  await page.locator('.sync-progress progress').waitFor();
  const progressLine = page.getByRole('status').filter({ hasText: /of [1-9]\d* agreements done/ });
  await progressLine.waitFor({ timeout: 20_000 });
  expect(await progressLine.textContent()).toMatch(
    /^\w[\w ]*: \d+ of [1-9]\d* agreements done, \d+ operations? applied/,
  );
  const finished = page.getByRole('status').filter({ hasText: 'The synchronization finished' });
  await finished.waitFor({ timeout: 40_000 });
  expect(await finished.textContent()).toContain('finished: Partial');
  await admin.faults.clear();

  // The API's newest manual run is the one the page followed.
  const first = (await ui.call(demo, 'GET', '/connectwise/sync-runs?trigger=manual')).runs[0];
  expect(first.outcome).toBe('partial');
  const history = page.getByRole('region', { name: 'History' });
  const ourRow = history.locator(`tr[data-run-id="${first.id}"]`);
  await ourRow.waitFor();
  expect(await ourRow.locator('td').allTextContents()).toEqual([
    expect.any(String),
    'Billing',
    'Synchronize',
    'Partial',
    first.summary ?? '—',
    expect.stringContaining('Open'),
  ]);

  // A second run (nothing left to change), so the history has more runs than its page of one.
  await page.getByRole('button', { name: 'Synchronize' }).click();
  const busy = page.getByRole('button', { name: 'Synchronize' }).and(page.locator('[aria-busy]'));
  await busy.waitFor();
  await busy.waitFor({ state: 'detached', timeout: 40_000 });
  await finished.waitFor();
  const second = (await ui.call(demo, 'GET', '/connectwise/sync-runs?trigger=manual')).runs[0];
  expect(second.id).not.toBe(first.id);
  const pager = page.getByRole('navigation', { name: 'Pages of runs' });
  await history.locator(`tr[data-run-id="${second.id}"]`).waitFor();
  await pager.getByText('Page 1').waitFor();
  expect(await history.locator('tbody tr').count()).toBe(1);
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText('Page 2').waitFor();
  await ourRow.waitFor();
  expect(await history.locator('tbody tr').count()).toBe(1);
  const run = first;

  // The run's detail: the additions it created, as the API's run detail lists them.
  await ourRow.getByRole('button', { name: /^Open/ }).click();
  const detail = page.getByRole('region', { name: 'Run details' });
  await detail.getByRole('heading', { name: 'Billing changes' }).waitFor();
  const api = await ui.call(demo, 'GET', `/connectwise/sync-runs/${run.id}?pageSize=20`);
  expect(api.changes.length).toBeGreaterThan(0);
  const creates = api.changes.filter((c: { action: string }) => c.action === 'create');
  expect(creates.length).toBeGreaterThan(0);
  const shown = await cellsOf(detail.locator('table', { hasText: 'Product' }).locator('tbody tr'));
  expect(shown).toEqual(
    api.changes.map(
      (c: {
        customerId: string;
        agreementId: number;
        sku: string;
        action: string;
        from: { quantity: number } | null;
        to: { quantity: number } | null;
        outcome: string;
        message: string | null;
      }) => [
        c.customerId,
        String(c.agreementId),
        c.sku,
        c.action,
        `${c.from ? c.from.quantity : '—'} → ${c.to ? c.to.quantity : '—'}`,
        c.outcome,
        c.message ?? '',
      ],
    ),
  );
  // …and ConnectWise holds them: one new addition per created line, with its quantity.
  const additions = await admin.state.additions();
  expect(additions.length).toBe(additionsBefore + creates.length);
  for (const c of creates) {
    const addition = additions.find((a) => a.id === c.additionId);
    expect(addition).toMatchObject({ agreementId: c.agreementId, quantity: c.to.quantity });
  }
  // The demo's usage: Globex has 20 browser seats.
  expect(shown).toContainEqual([
    'dfx-cust-globex',
    expect.any(String),
    'DFX-BROWSER-SEAT',
    'create',
    '— → 20',
    'applied',
    // Globex's agreement prorates new additions (the simulator's seed): ConnectWise bills the
    // rest of this period on its next invoice.
    'prorated by ConnectWise for this period',
  ]);

  // The run in the Temporal UI, in a new tab.
  const link = detail.getByRole('link', { name: /Open this run in the Temporal UI/ });
  const href = await link.getAttribute('href');
  expect(ui.stack.temporalUiUrl).toBeTruthy();
  expect(href).toBe(api.temporalUiUrl);
  expect(href?.startsWith(`${ui.stack.temporalUiUrl!.replace(/\/+$/, '')}/namespaces/`)).toBe(true);
  expect(href).toContain(`/workflows/${encodeURIComponent(run.workflowId)}/`);
  expect(await link.getAttribute('target')).toBe('_blank');

  // Back to the first page of the history.
  await pager.getByRole('button', { name: 'Previous' }).click();
  await history.locator(`tr[data-run-id="${second.id}"]`).waitFor();
  expect(await pager.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);

  await ui.expectAccessible(page, 'status (run detail)');
  await ui.screenshot(page, 'status');

  // The filters: no failed run.
  await history.getByLabel('Outcome').selectOption({ label: 'Failed' });
  await history.getByText('No runs yet.').waitFor();

  await page.setViewportSize({ width: 390, height: 800 });
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await ui.expectAccessible(page, 'status (narrow)');
  ui.expectNoPageErrors();
}, 100_000);

test('Synchronize with billing off: the skipped run is reported and the button is free again', async () => {
  const partner = await ui.partner('p-status-off');
  await ui.connect(partner);
  const page = await ui.open(partner, '/status');
  await page.locator('.status-overview').getByText('active', { exact: true }).waitFor();
  const button = page.getByRole('button', { name: 'Synchronize' });
  await button.click();
  // No billing run starts (the lifecycle records a skipped run without one): the page still
  // learns the press is over, instead of waiting and polling for ever.
  const finished = page.getByRole('status').filter({ hasText: 'The synchronization finished' });
  await finished.waitFor({ timeout: 20_000 });
  expect(await finished.textContent()).toContain('finished: Skipped');
  expect(await button.getAttribute('aria-busy')).toBeNull();
  expect(await page.locator('.sync-progress').count()).toBe(0);
  ui.expectNoPageErrors();
}, 60_000);

test('a problem a run finds shows under Health issues with its fix, and goes once fixed', async () => {
  const demo = ui.stack.demo;
  const admin = ui.stack.simulator.admin;
  const settings = await ui.call(demo, 'GET', '/connectwise/billing-settings');
  const chosen = (settings.agreements as Array<{ customerId: string; agreementId: number }>)[0]!;
  const agreement = (await admin.state.agreements()).find((a) => a.id === chosen.agreementId)!;
  await admin.state.put('agreements', { ...agreement, cancelledFlag: true });
  const page = await ui.open(demo, '/status');
  const issues = page.getByRole('region', { name: 'Health issues' });
  const sync = async () => {
    await page.getByRole('button', { name: 'Synchronize' }).click();
    const busy = page.getByRole('button', { name: 'Synchronize' }).and(page.locator('[aria-busy]'));
    await busy.waitFor();
    await busy.waitFor({ state: 'detached', timeout: 40_000 });
  };
  try {
    await sync();
    const row = issues.locator('tbody tr', { hasText: 'Agreement not billable' });
    await row.waitFor({ timeout: 10_000 });
    const [kind, about, words, , state] = await row.locator('td').allTextContents();
    expect([kind, about, state]).toEqual([
      'Agreement not billable',
      `Agreement ${chosen.agreementId}`,
      'Open',
    ]);
    expect(words).toContain('This agreement is cancelled.');
    expect(words).toContain(
      `Fix: Choose another recurring agreement for customer ${chosen.customerId}`,
    );
    // The API lists the same open issues.
    const api = await ui.call(demo, 'GET', '/connectwise/health-issues?state=open');
    expect(await issues.locator('tbody tr').count()).toBe(api.issues.length);
    await ui.expectAccessible(page, 'status with health issues');
    // The screen where it is fixed says so too.
    const billing = await ui.open(demo, '/billing');
    const banner = billing.getByRole('status', { name: 'Health issues here' });
    await banner.getByText('This agreement is cancelled.', { exact: false }).waitFor();
    expect(await banner.textContent()).toContain(
      `Fix: Choose another recurring agreement for customer ${chosen.customerId}`,
    );
    await ui.expectAccessible(billing, 'billing with a health banner');
  } finally {
    await admin.state.put('agreements', agreement);
  }
  await sync();
  await issues
    .locator('tbody tr', { hasText: 'Agreement not billable' })
    .waitFor({ state: 'detached', timeout: 10_000 });
});
