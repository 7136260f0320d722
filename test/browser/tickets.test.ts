import { useConsoleStack } from './console-stack';

/**
 * Service Ticket Integration: the partner chooses board, source, statuses and priorities in the
 * browser and the API holds them; the closing list offers closed statuses only; an API error
 * appears next to the field it names; a security event posted through the API shows in the list
 * with its ConnectWise ticket once the workflow created it.
 */
const ui = useConsoleStack();

const optionTexts = (select: import('playwright-core').Locator) =>
  select.locator('option').allTextContents();

test('ticket configuration is saved, errors sit by their field, and a ticket appears in the list', async () => {
  const partner = await ui.partner('p-tickets');
  await ui.connect(partner);
  // The event's customer must be mapped to a ConnectWise company for a ticket to open.
  await ui.call(partner, 'PUT', '/connectwise/company-mappings', {
    mappings: [{ customerId: 'dfx-cust-acme', companyId: 250 }],
  });
  const page = await ui.open(partner, '/tickets');
  await page.getByRole('heading', { level: 1, name: 'Service Ticket Integration' }).waitFor();
  const board = page.getByLabel('Service Board');
  await board.waitFor();

  // Turned on with nothing chosen: the API's refusal is shown under the board.
  await page.getByRole('switch', { name: 'Create tickets for security events' }).check();
  await page.getByRole('button', { name: 'Save Ticket Configuration' }).click();
  const boardError = page.locator('.field', { has: board }).locator('.field-error');
  await expect(boardError.textContent()).resolves.toBe(
    'required when ticket integration is enabled',
  );
  expect(await board.getAttribute('aria-invalid')).toBe('true');
  await ui.expectAccessible(page, 'tickets (errors)');

  // The statuses follow the board; the closing list has the closed ones only.
  await board.selectOption({ label: 'Help Desk' });
  const closing = page.getByLabel('Closing Status');
  const initial = page.getByLabel('Initial Status');
  await expect(waitForOptions(closing, 'Resolved')).resolves.toEqual([
    '— choose a status —',
    'Resolved',
    'Closed',
  ]);
  await board.selectOption({ label: 'Security Alerts' });
  await expect(waitForOptions(initial, 'Investigating')).resolves.toEqual([
    '— choose a status —',
    'New',
    'Investigating',
  ]);
  expect(await optionTexts(closing)).toEqual(['— choose a status —', 'Resolved', 'Closed']);

  await page.getByLabel('Source').selectOption({ label: 'Integration' });
  await initial.selectOption({ label: 'New' });
  await closing.selectOption({ label: 'Closed' });
  await page.getByLabel('Critical').selectOption({ label: 'Priority 1 - Emergency Response' });
  await page.getByLabel('High').selectOption({ label: 'Priority 2 - Quick Response' });
  // The policy shows its defaults.
  expect(await page.getByLabel('Note window (minutes)').inputValue()).toBe('15');
  expect(await page.getByLabel('Maximum event age (hours)').inputValue()).toBe('168');
  await page.getByLabel('Note window (minutes)').fill('30');
  expect(await page.getByLabel('Poll period (minutes)').inputValue()).toBe('15');
  await page.getByLabel('Poll period (minutes)').fill('5');
  await page.getByRole('button', { name: 'Save Ticket Configuration' }).click();
  await page.getByRole('status').filter({ hasText: 'Ticket configuration saved' }).waitFor();
  expect(await boardError.count()).toBe(0);

  const saved = await ui.call(partner, 'GET', '/connectwise/ticket-settings');
  expect(saved).toMatchObject({
    enabled: true,
    boardId: 2,
    sourceId: 4,
    initialStatusId: 201,
    closingStatusId: 204,
    priorityBySeverity: { critical: 1, high: 2 },
    noteWindowMinutes: 30,
    reopenWindowHours: 0,
    maxEventAgeHours: 168,
    pollMinutes: 5,
    processNotifications: false,
  });
  expect(saved.priorityBySeverity).not.toHaveProperty('low');

  // A security event: the list shows it, then its ConnectWise ticket once created.
  const key = `evt-browser-${Date.now()}`;
  await ui.call(partner, 'POST', '/connectwise/events', {
    events: [
      {
        key,
        customerId: 'dfx-cust-acme',
        title: 'Phishing site blocked',
        severity: 'critical',
        description: 'A user opened a known phishing page.',
        occurredAt: new Date().toISOString(),
      },
    ],
  });
  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = page.getByRole('row').filter({ hasText: key });
  await row.waitFor();
  // The list looks again by itself while the ticket is pending.
  await row.getByRole('cell', { name: /^#\d+$/ }).waitFor({ timeout: 30_000 });
  expect(await row.getByText('Open', { exact: true }).count()).toBe(1);
  const shownId = Number((await row.getByRole('cell', { name: /^#\d+$/ }).textContent())?.slice(1));

  const tickets = (await ui.stack.simulator.admin.state.tickets()).filter((t) =>
    new RegExp(`^dfx:[0-9a-f]{10}:${key}$`).test(t.externalXRef ?? ''),
  );
  expect(tickets).toHaveLength(1);
  expect(tickets[0]).toMatchObject({
    id: shownId,
    board: { id: 2 },
    status: { id: 201 },
    company: { id: 250 },
    priority: { id: 1 },
  });
  const event = await ui.call(partner, 'GET', `/connectwise/events/${key}`);
  expect(event.ticketId).toBe(shownId);
  if (event.temporalUiUrl) {
    expect(await row.getByRole('link', { name: /Temporal UI/ }).getAttribute('href')).toBe(
      event.temporalUiUrl,
    );
  }

  // The state filter.
  await page.getByLabel('State', { exact: true }).selectOption({ label: 'Resolved' });
  await page.getByText('No security events in this state yet.').waitFor();
  await page.getByLabel('State', { exact: true }).selectOption({ label: 'Open' });
  await row.waitFor();

  await ui.expectAccessible(page, 'tickets');
  await ui.screenshot(page, 'tickets');

  // A narrow window: nothing wider than it but the table, which scrolls in its own box.
  await page.setViewportSize({ width: 390, height: 800 });
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await ui.expectAccessible(page, 'tickets (narrow)');
  ui.expectNoPageErrors();
}, 90_000);

/** The option texts of `select` once `text` is among them (the statuses load per board). */
async function waitForOptions(
  select: import('playwright-core').Locator,
  text: string,
): Promise<string[]> {
  await select.locator('option', { hasText: text }).first().waitFor({ state: 'attached' });
  return optionTexts(select);
}
