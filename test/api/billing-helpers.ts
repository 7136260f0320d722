import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import type { BillingRunResult } from '../../domain/billing/run';
import { as, cwBase, type useSetupStack } from './setup-helpers';

/** Billing over the API for p1 of a setup stack: products, mappings, usage, settings, runs. */
export function billingApi(suite: ReturnType<typeof useSetupStack>) {
  const p1 = () => as(suite.engine.tokens.p1);
  const put = (path: string, body: object) =>
    request(suite.engine.app).put(path).set(p1()).send(body);
  const cw = (path: string) => `${cwBase('p1')}${path}`;

  /** Products, mappings, usage, then billing settings (with `policy` on top): queues a run. */
  async function setUp(policy: object = {}) {
    const products = [
      { sku: 'browser-security', name: 'DefensX Browser Security', price: 4, cost: 2 },
      { sku: 'secure-dns', name: 'DefensX Secure DNS', price: 1.5, cost: 0.5 },
    ];
    expect((await put('/v1/partners/p1/products', { products })).status).toBe(200);
    const mappings = [
      { customerId: 'c-acme', companyId: 250 },
      { customerId: 'c-globex', companyId: 254 },
    ];
    expect((await put(cw('/company-mappings'), { mappings })).status).toBe(200);
    const usage = (customerId: string, lines: Array<[string, number]>) =>
      put(`/v1/partners/p1/customers/${customerId}/usage`, {
        usage: lines.map(([sku, quantity]) => ({ sku, quantity })),
      });
    expect(
      (
        await usage('c-acme', [
          ['browser-security', 30],
          ['secure-dns', 10],
        ])
      ).status,
    ).toBe(200);
    expect((await usage('c-globex', [['browser-security', 5]])).status).toBe(200);
    const agreements = [
      { customerId: 'c-acme', agreementId: 300 },
      { customerId: 'c-globex', agreementId: 303 },
    ];
    // What a catalog item the engine creates is filed under (a tenant may enforce it).
    const catalogDefaults = { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' };
    const billing = await put(cw('/billing-settings'), {
      enabled: true,
      agreements,
      catalogDefaults,
      ...policy,
    });
    expect(billing.status).toBe(200);
  }

  /** Waits for a billing run to start and finish. */
  async function waitRun(runWorkflowId: string): Promise<BillingRunResult> {
    for (let i = 0; i < 300; i++) {
      try {
        const handle = suite.engine.client.workflow.getHandle(runWorkflowId);
        return (await handle.result()) as BillingRunResult;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`run ${runWorkflowId} never started`);
  }

  /** Presses Synchronize; the run it queued. */
  async function press(): Promise<string> {
    const res = await request(suite.engine.app).post(cw('/synchronize')).set(p1());
    expect(res.status).toBe(202);
    const runWorkflowId = res.body.runWorkflowId as string;
    expect(runWorkflowId).toMatch(/^billing-run:/);
    return runWorkflowId;
  }

  /** Presses Synchronize and waits for the run it queued to finish. */
  async function synchronize(): Promise<{ runWorkflowId: string; result: BillingRunResult }> {
    const runWorkflowId = await press();
    return { runWorkflowId, result: await waitRun(runWorkflowId) };
  }

  const openAdditions = async (agreementId: number) =>
    (await suite.fx.sim.admin.state.additions(agreementId))
      .filter((a) => !a.cancelledDate)
      .map((a) => ({ product: a.product.id, quantity: a.quantity }))
      .sort((x, y) => x.product - y.product);

  /** The first pending approval, what it asks about its candidate additions, and how many wait. */
  async function firstPending() {
    const pending = await request(suite.engine.app).get(cw('/billing/approvals')).set(p1());
    expect(pending.status).toBe(200);
    const [approval] = pending.body.items as Array<{
      approvalId: string;
      planHash: string;
      agreementId: number;
      customerId: string;
      operations: Array<{ action: string; sku: string; additionId: number; reason: string }>;
    }>;
    return {
      approval: approval!,
      candidates: approval!.operations.filter((o) => o.action === 'candidate'),
      pending: (pending.body.items as unknown[]).length,
    };
  }

  /** Approves `approval` adopting each candidate addition; the run the decision queued. */
  async function approveAdopting(
    approval: { approvalId: string; planHash: string },
    candidates: ReadonlyArray<{ additionId: number }>,
  ) {
    return await request(suite.engine.app)
      .post(cw('/billing/approvals/decide'))
      .set(p1())
      .send({
        decisions: [
          {
            approvalId: approval.approvalId,
            planHash: approval.planHash,
            decision: 'approve',
            candidates: candidates.map((c) => ({ additionId: c.additionId, decision: 'adopt' })),
          },
        ],
      });
  }

  return {
    p1,
    put,
    cw,
    setUp,
    press,
    synchronize,
    waitRun,
    openAdditions,
    firstPending,
    approveAdopting,
  };
}
