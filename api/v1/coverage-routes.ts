import { z } from 'zod';
import { COVERAGE_GAPS, COVERAGE_GAP_TEXT } from '../../domain/billing/coverage-gaps';
import type { BillingCoverage, CoverageReport } from '../../services/billing-coverage';
import type { IntegrationService } from '../../services/integration-service';
import { route } from '../route';
import { errorBody, partnerParams } from './schemas';

const gap = z.enum(COVERAGE_GAPS).describe('Why seats in use and seats billed differ');
const seats = z.number().int();
const amount = z.number().describe("At the vendor's unit price");

const lineView = z.object({
  sku: z.string(),
  name: z.string(),
  inUse: seats.describe('Seats in use (the latest usage the portal sent)'),
  billed: seats.describe(
    "Seats billed: the engine's additions as ConnectWise held them after the last run, plus hand-made ones the partner chose to keep",
  ),
  difference: seats.describe('inUse − billed: positive is unbilled, negative billed beyond use'),
  unitPrice: z.number().nullable(),
  unbilledAmount: amount.nullable().describe('null when the product has no price'),
  gap: gap.nullable().describe('null when the line is billed as used'),
});

const customerView = z.object({
  customerId: z.string(),
  name: z.string(),
  companyId: z.number().int().nullable(),
  agreementId: z.number().int().nullable(),
  gap: gap.nullable().describe("The customer's own reason, when the whole customer differs"),
  detail: z.string().nullable().describe("The last run's words about this customer"),
  usageAsOf: z.string().datetime().nullable(),
  billedAsOf: z
    .string()
    .datetime()
    .nullable()
    .describe('When the seats billed were read from ConnectWise; null: never'),
  lines: z.array(lineView),
});

const gapTotal = z.object({
  unbilled: seats.describe('Seats in use and not billed'),
  overBilled: seats.describe('Seats billed beyond use'),
  amount: amount.describe('Monthly amount of the unbilled seats whose price is known'),
});

export const coverageView = z.object({
  run: z
    .object({
      id: z.string(),
      runKey: z.string(),
      outcome: z.string(),
      startedAt: z.string().datetime(),
      endedAt: z.string().datetime().nullable(),
    })
    .nullable()
    .describe('The billing run measured against; null before the first one'),
  computedAt: z.string().datetime(),
  totals: z.object({
    inUse: seats,
    billed: seats,
    unbilled: seats.describe('Seats in use and not billed'),
    overBilled: seats.describe('Seats billed beyond use'),
    unbilledAmount: amount.describe('Monthly amount of the unbilled seats whose price is known'),
    unpricedSeats: seats.describe('Unbilled seats of products with no price'),
    byGap: z.partialRecord(gap, gapTotal),
  }),
  gaps: z
    .partialRecord(gap, z.string())
    .describe('What each gap in this answer means and how to fix it'),
  customers: z.array(customerView),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toCoverageView = (
  report: CoverageReport,
  only: 'all' | 'gaps',
): z.infer<typeof coverageView> => {
  const customers = report.customers
    .map((c) => ({
      ...c,
      lines: only === 'gaps' ? c.lines.filter((l) => l.gap !== null) : c.lines,
    }))
    .filter((c) => c.lines.length > 0);
  const gaps = new Set(customers.flatMap((c) => c.lines.flatMap((l) => (l.gap ? [l.gap] : []))));
  return {
    run: report.run && {
      ...report.run,
      startedAt: report.run.startedAt.toISOString(),
      endedAt: iso(report.run.endedAt),
    },
    computedAt: report.computedAt.toISOString(),
    totals: report.totals,
    gaps: Object.fromEntries([...gaps].sort().map((g) => [g, COVERAGE_GAP_TEXT[g]])),
    customers: customers.map((c) => ({
      ...c,
      usageAsOf: iso(c.usageAsOf),
      billedAsOf: iso(c.billedAsOf),
    })),
  };
};

/** What is used but not billed, and why. */
export function coverageRoutes({
  coverage,
  integrations,
}: {
  coverage: BillingCoverage;
  integrations: IntegrationService;
}) {
  return [
    route({
      method: 'get',
      auth: 'partner',
      path: '/partners/:partnerId/connectwise/billing/coverage',
      summary:
        'Billing coverage: per customer and product, the seats in use against the seats billed, why they differ, and the unbilled total',
      tags: ['Billing'],
      params: partnerParams,
      query: z.object({
        only: z
          .enum(['all', 'gaps'])
          .optional()
          .describe('`gaps`: only the lines that differ (default: every line)'),
      }),
      responses: {
        200: { description: 'Coverage as of the latest billing run', schema: coverageView },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const integration = await integrations.live(params.partnerId);
        const report = await coverage.of(integration);
        return { body: toCoverageView(report, query.only ?? 'all') };
      },
    }),
  ];
}
