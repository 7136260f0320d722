import type { Page } from 'playwright-core';
import type { ConsoleStack } from './console-stack';

/** Steps more than one browser test takes, in the words of the screens. */

/** Integration details: the simulator as an on-premise server, with its API member's keys. */
export async function fillCredentials(ui: ConsoleStack, page: Page, privateKey?: string) {
  const { origin, credentials } = ui.stack.simulator;
  await page.getByLabel('ConnectWise server').selectOption({ label: 'On-Premise' });
  await page.getByLabel('Base URL').fill(origin);
  await page.getByLabel('Company ID').fill(credentials.companyId);
  await page.getByLabel('Public Key').fill(credentials.publicKey);
  await page.getByLabel('Private Key').fill(privateKey ?? credentials.privateKey);
}

/** The Test Connection dialog's role table: [role line, result cell text] per row. */
export async function roleRows(page: Page): Promise<Array<[string, string]>> {
  const table = page
    .getByRole('dialog', { name: 'Test Connection' })
    .getByRole('table', { name: /security role/ });
  const rows = table.locator('tbody tr');
  const out: Array<[string, string]> = [];
  for (const row of await rows.all()) {
    out.push([
      (await row.locator('th').innerText()).trim(),
      (await row.locator('td').last().innerText()).trim(),
    ]);
  }
  return out;
}

/**
 * Runs `during` with a role line (e.g. `Finance/Agreements`) revoked from the API member in the
 * simulator, and gives the line its levels back after, whatever happens.
 */
export async function withRevokedLine(
  ui: ConsoleStack,
  line: string,
  during: () => Promise<void>,
): Promise<void> {
  const admin = ui.stack.simulator.admin;
  const [module, fn] = line.split('/');
  const before = (await admin.state.mySecurity()).find(
    (r) => r.moduleIdentifier === module && r.moduleFunctionIdentifier === fn,
  );
  if (!before) throw new Error(`the simulator's role has no line ${line}`);
  await admin.security.revoke(line);
  try {
    await during();
  } finally {
    await admin.security.setLevels(line, {
      add: before.addLevel as never,
      edit: before.editLevel as never,
      delete: before.deleteLevel as never,
      inquire: before.inquireLevel as never,
    });
  }
}
