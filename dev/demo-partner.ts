/**
 * The local stack's demo partner: a bearer token (kept in .data/dev.env so it survives restarts),
 * and vendor customers, products and usage that resemble the simulator's companies, so company
 * mapping has something to suggest.
 */
import { connectDatabase, createRepositories } from '../db';
import { readDevEnv, updateDevEnv } from './env-file';

export const DEMO_PARTNER_ID = 'demo';

const CUSTOMERS = [
  { customerId: 'dfx-cust-acme', name: 'Acme Corporation' },
  { customerId: 'dfx-cust-globex', name: 'Globex' },
  { customerId: 'dfx-cust-initech', name: 'Initech LLC' },
  { customerId: 'dfx-cust-umbrella', name: 'Umbrella Health Inc.' },
  { customerId: 'dfx-cust-newco', name: 'Newco Startups' },
];
const PRODUCTS = [
  {
    sku: 'DFX-BROWSER-SEAT',
    name: 'DefensX Browser Security',
    description: 'Per-seat browser security',
    price: 4,
    cost: 2,
  },
  {
    sku: 'DFX-DLP-SEAT',
    name: 'DefensX Data Loss Prevention',
    description: 'Per-seat DLP add-on',
    price: 2,
    cost: 1,
  },
];

export async function seedDemoPartner(
  mongoUri: string,
  devEnvFile: string,
): Promise<{ partnerId: string; token: string }> {
  const db = await connectDatabase({ uri: mongoUri });
  try {
    const repos = await createRepositories(db);
    await repos.vendor.upsertCustomers(DEMO_PARTNER_ID, CUSTOMERS);
    await repos.vendor.upsertProducts(DEMO_PARTNER_ID, PRODUCTS);
    const asOf = new Date();
    for (const [i, { customerId }] of CUSTOMERS.entries()) {
      await repos.vendor.replaceUsage(DEMO_PARTNER_ID, customerId, {
        asOf,
        lines: [
          { sku: 'DFX-BROWSER-SEAT', quantity: 10 * (i + 1), asOf },
          { sku: 'DFX-DLP-SEAT', quantity: 5 * i, asOf },
        ],
      });
    }
    const saved = readDevEnv(devEnvFile).DEMO_PARTNER_TOKEN;
    if (saved && (await repos.tokens.authenticate(saved)))
      return { partnerId: DEMO_PARTNER_ID, token: saved };
    const { token } = await repos.tokens.create({
      kind: 'partner',
      partnerId: DEMO_PARTNER_ID,
      name: 'local stack demo',
    });
    updateDevEnv(devEnvFile, { DEMO_PARTNER_TOKEN: token });
    return { partnerId: DEMO_PARTNER_ID, token };
  } finally {
    await db.close();
  }
}
