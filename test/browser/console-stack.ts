import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedVendorData, type SeededPartner } from '../../dev/demo-partner';
import { discardLines } from '../../dev/managed';
import { startStack, type Stack } from '../../dev/stack';
import { connectDatabase, createRepositories } from '../../db';
import { shared } from '../support/shared-env';
import { STACK_SLOT_WAIT_MS, takeStackSlot } from '../support/stack-slot';

/**
 * The browser tests' world: the real local stack as `npm start` runs it (Temporal dev server with
 * its UI, FerretDB, the ConnectWise simulator, the worker and the API serving the built console)
 * and Debian's Chromium driven by Playwright. One per test file; partners keep tests apart.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Screenshots of each screen, kept by the run (git-ignored), for a human to look at. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'console');

const env = {
  ...process.env,
  MONGODB_URI: undefined,
  TEMPORAL_ADDRESS: undefined,
  ENCRYPTION_KEY: undefined,
  PORT: undefined,
  LOG_FORMAT: 'json',
};

export interface ConsoleStack {
  stack: Stack;
  browser: Browser;
  /** A partner with the demo's vendor data (customers, products, usage) and a token of its own. */
  partner(partnerId: string): Promise<SeededPartner>;
  /** Connects `partner` to the simulator through the API (as Test Connection + Create would). */
  connect(partner: SeededPartner): Promise<void>;
  /** Calls `/v1/partners/<partner><path>` as the partner; a status of 300 or more throws. */
  call(partner: SeededPartner, method: string, path: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON, checked by the assertions
  /**
   * A new browser window (1280×900 unless `viewport`) signed in as `partner` through the sign-in
   * link, at `/console<path>`. Errors the page throws fail the test at `expectNoPageErrors`.
   */
  open(
    partner: SeededPartner,
    path: string,
    viewport?: { width: number; height: number },
  ): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  /** axe-core on the page as it is now: no serious or critical violation (each one named). */
  expectAccessible(page: Page, what: string): Promise<void>;
  /** No uncaught error and no console error in any page opened so far. */
  expectNoPageErrors(): void;
}

/** Starts the stack and Chromium before the file's tests, stops both after. */
export function useConsoleStack(): ConsoleStack {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  let releaseSlot: (() => void) | undefined;

  beforeAll(async () => {
    // The run's prebundled workflows (test/support/shared-servers.ts): the stack's worker starts
    // without webpack, which would take seconds of a loaded CPU per file.
    const bundle = { WORKFLOW_BUNDLE_PATH: await shared('workflowBundle') };
    releaseSlot = await takeStackSlot();
    [stack, browser] = await Promise.all([
      startStack({ ephemeral: true, env: { ...env, ...bundle }, log: discardLines }),
      chromium.launch({ executablePath: CHROMIUM_PATH }).catch((err: unknown) => {
        throw new Error(
          `Chromium did not start from ${CHROMIUM_PATH} (run dev/chromium.sh, or set CHROMIUM_PATH): ${String(err)}`,
        );
      }),
    ]);
  }, 120_000 + STACK_SLOT_WAIT_MS);
  afterAll(async () => {
    try {
      await browser?.close();
      await stack?.stop();
    } finally {
      releaseSlot?.();
    }
  }, 60_000);

  const the = () => {
    if (!stack || !browser) throw new Error('the console stack is not started (beforeAll failed)');
    return { stack, browser };
  };

  const call: ConsoleStack['call'] = async (partner, method, path, body) => {
    const res = await fetch(`${the().stack.apiUrl}/v1/partners/${partner.partnerId}${path}`, {
      method,
      headers: { authorization: `Bearer ${partner.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- untyped JSON, checked by the assertions
    return text ? JSON.parse(text) : undefined;
  };

  return {
    get stack() {
      return the().stack;
    },
    get browser() {
      return the().browser;
    },
    async partner(partnerId) {
      const conn = await connectDatabase({ uri: the().stack.mongoUri });
      try {
        const repos = await createRepositories(conn);
        await seedVendorData(repos, partnerId);
        const { token } = await repos.tokens.create({
          kind: 'partner',
          partnerId,
          name: 'browser test',
        });
        return { partnerId, token };
      } finally {
        await conn.close();
      }
    },
    async connect(partner) {
      const { origin, credentials } = the().stack.simulator;
      await call(partner, 'POST', '/connectwise/integration', {
        site: origin,
        companyId: credentials.companyId,
        publicKey: credentials.publicKey,
        privateKey: credentials.privateKey,
      });
    },
    call,
    async open(partner, path, viewport = { width: 1280, height: 900 }) {
      const context = await the().browser.newContext({ viewport });
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
      page.on('console', (msg) => {
        // Chromium logs every 4xx answer as a console error; the screens handle those (a 404 for
        // "no integration yet", a 400 naming a field). 5xx answers still count.
        if (
          msg.type() === 'error' &&
          !/^Failed to load resource: .* status of 4\d\d\b/.test(msg.text())
        )
          pageErrors.push(`${path}: console: ${msg.text()}`);
      });
      const fragment = `#partner=${encodeURIComponent(partner.partnerId)}&token=${encodeURIComponent(partner.token)}`;
      await page.goto(`${the().stack.apiUrl}/console${path}${fragment}`);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async expectAccessible(page, what) {
      const result = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${what}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        );
      expect(bad).toEqual([]);
    },
    expectNoPageErrors() {
      expect(pageErrors).toEqual([]);
    },
  };
}
