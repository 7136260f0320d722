import { useConsoleStack } from './console-stack';

/**
 * The console's frame: signing in by the link (the token leaves the address bar and stays in this
 * tab only), the six screens in the seed's order, a narrow window, and signing out.
 */
const ui = useConsoleStack();

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
