import { REQUIRED_SECURITY_ROLE } from '../../connectwise';
import { useConsoleStack } from './console-stack';
import { fillCredentials, roleRows, withRevokedLine } from './steps';

/**
 * Integration details: the seed's setup (the simulator's credentials, Test Connection with the
 * permission table, a revoked role line named, Create Integration), a wrong key, and the connected
 * integration's life (pause, resume, validate, a failing edit that changes nothing, delete).
 */
const ui = useConsoleStack();

const LINE = 'Finance/Agreements';
const LINE_LABEL = 'Finance → Agreements';

test('setup: Test Connection shows every role line, names a revoked one, then Create Integration', async () => {
  const partner = await ui.partner('p-int');
  const page = await ui.open(partner, '/integration');
  await page.getByRole('heading', { level: 1, name: 'Integration details' }).waitFor();

  // The cloud regions the API accepts, and On-Premise with a base URL.
  await page.getByLabel('ConnectWise server').waitFor();
  const servers = await page.getByLabel('ConnectWise server').locator('option').allTextContents();
  expect(servers).toEqual(expect.arrayContaining(['On-Premise']));
  expect(servers.some((s) => s.includes('api-na.myconnectwise.net'))).toBe(true);
  expect(await page.getByLabel('Base URL').count()).toBe(0);
  await fillCredentials(ui, page);
  expect(await page.getByLabel('Private Key').getAttribute('type')).toBe('password');
  const create = page.getByRole('button', { name: 'Create Integration' });
  expect(await create.isDisabled()).toBe(true);
  await ui.expectAccessible(page, 'integration form');

  const dialog = page.getByRole('dialog', { name: 'Test Connection' });
  await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
  await dialog.getByText('Test Connection passed').waitFor();
  const rows = await roleRows(page);
  expect(rows.map(([label]) => label)).toEqual(REQUIRED_SECURITY_ROLE.map((l) => l.label));
  expect(rows.every(([, result]) => result === 'ok')).toBe(true);
  await ui.screenshot(page, 'test-connection');
  await ui.expectAccessible(page, 'Test Connection dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await create.isEnabled()).toBe(true);

  // A role line taken away in ConnectWise: the dialog names what is missing, in the report's words.
  await withRevokedLine(ui, LINE, async () => {
    await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
    await dialog.getByText('Test Connection did not pass').waitFor();
    const failing = await roleRows(page);
    const line = failing.find(([label]) => label === LINE_LABEL);
    expect(line?.[1]).toContain('missing');
    expect(line?.[1]).toContain(`${LINE_LABEL}: Add is None, needs All`);
    expect(line?.[1]).toContain(`${LINE_LABEL}: Inquire is None, needs All`);
    expect(failing.filter(([label]) => label !== LINE_LABEL).every(([, r]) => r === 'ok')).toBe(
      true,
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await create.isDisabled()).toBe(true);
  });

  await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
  await dialog.getByText('Test Connection passed').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await create.click();
  await page.getByRole('status').getByText('Integration created').waitFor();
  expect(await page.getByTestId('state').innerText()).toBe('active');
  // The private key is never shown back; the public key only masked.
  const html = await page.content();
  expect(html).not.toContain(ui.stack.simulator.credentials.privateKey);
  expect(html).not.toContain(ui.stack.simulator.credentials.publicKey);
  const stored = await ui.call(partner, 'GET', '/connectwise/integration');
  expect(stored).toMatchObject({
    state: 'active',
    site: ui.stack.simulator.origin,
    companyId: ui.stack.simulator.credentials.companyId,
    hasPrivateKey: true,
  });
  await ui.screenshot(page, 'integration-details');
  await ui.expectAccessible(page, 'connected integration');
  ui.expectNoPageErrors();
}, 60_000);

test('a wrong private key and an invalid Company ID show next to their fields', async () => {
  const partner = await ui.partner('p-int-bad');
  // On a narrow window (a phone): nothing wider than the screen.
  const page = await ui.open(partner, '/integration', { width: 390, height: 800 });
  await fillCredentials(ui, page, 'not-the-private-key');
  await page.getByLabel('Company ID').fill('bad id!');
  await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
  const companyId = page.getByLabel('Company ID');
  await page.getByText('must be the Company ID typed at the ConnectWise login').waitFor();
  expect(await companyId.getAttribute('aria-invalid')).toBe('true');

  await companyId.fill(ui.stack.simulator.credentials.companyId);
  await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Test Connection' });
  await dialog.getByText('Test Connection did not pass').waitFor();
  await dialog.getByText('ConnectWise did not accept the public and private key').first().waitFor();
  expect(
    await dialog
      .getByRole('row', { name: /Public and private key/ })
      .getByText('not accepted')
      .count(),
  ).toBe(1);
  expect(
    await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
  ).toBe(0);
  await ui.expectAccessible(page, 'failed Test Connection (narrow)');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const privateKey = page.getByLabel('Private Key');
  expect(await privateKey.getAttribute('aria-invalid')).toBe('true');
  expect(await page.getByRole('button', { name: 'Create Integration' }).isDisabled()).toBe(true);
  await expect(ui.call(partner, 'GET', '/connectwise/integration')).rejects.toThrow(/404/);
  ui.expectNoPageErrors();
}, 60_000);

test('a connected integration: pause, resume, validate, a failing edit changes nothing, delete', async () => {
  const partner = await ui.partner('p-int-life');
  await ui.connect(partner);
  const page = await ui.open(partner, '/integration');
  const state = page.getByTestId('state');
  await state.waitFor();
  expect(await state.innerText()).toBe('active');

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
  expect(await state.innerText()).toBe('paused');
  expect((await ui.call(partner, 'GET', '/connectwise/integration')).state).toBe('paused');
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  expect(await state.innerText()).toBe('active');
  expect((await ui.call(partner, 'GET', '/connectwise/integration')).state).toBe('active');

  await page.getByRole('button', { name: 'Validate again', exact: true }).click();
  await page.getByRole('status').getByText('Validated').waitFor();

  // Edit with a wrong private key: the API re-tests, refuses, and the report says why.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Private Key').fill('wrong-private-key');
  expect(await page.getByLabel('Private Key').inputValue()).toBe('wrong-private-key');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Test Connection' });
  await dialog.getByText('Test Connection did not pass').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  // Nothing changed: the stored key still passes.
  await page.getByRole('button', { name: 'Validate again', exact: true }).click();
  await page.getByRole('status').getByText('Validated').waitFor();

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete the integration?' });
  await confirm.waitFor();
  await ui.expectAccessible(page, 'delete confirmation');
  // Closing the dialog deletes nothing.
  await confirm.getByRole('button', { name: 'Close' }).click();
  expect((await ui.call(partner, 'GET', '/connectwise/integration')).state).toBe('active');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await confirm.getByRole('button', { name: 'Delete Integration' }).click();
  await page.getByRole('status').getByText('Integration deleted').waitFor();
  await page.getByRole('button', { name: 'Test Connection', exact: true }).waitFor();
  await expect(ui.call(partner, 'GET', '/connectwise/integration')).rejects.toThrow(/404/);
  ui.expectNoPageErrors();
}, 60_000);
