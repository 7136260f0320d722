import { adoptionConflict } from '../domain/billing/approval';
import type { BillingApproval, CandidateChoice, Repositories } from '../db';
import type { LifecycleClient } from '../temporal/lifecycle-client';
import { notFound, ServiceError } from './errors';
import type { FieldProblem } from './field-problem';
import { invalidFields } from './errors';
import { tenantKeyOfIntegration } from './tenant';

export interface ApprovalDecisionInput {
  approvalId: string;
  planHash: string;
  decision: 'approve' | 'reject';
  /** One per candidate addition of the plan, with an approval. */
  candidates?: CandidateChoice[];
}

export interface BillingApprovalDeps {
  repos: Pick<Repositories, 'integrations' | 'billingApprovals'>;
  lifecycle: Pick<LifecycleClient, 'synchronize'>;
}

const agreementOf = (approvalId: string): number | undefined => {
  const m = /^(\d+)\./.exec(approvalId);
  return m ? Number(m[1]) : undefined;
};

/**
 * Held plans, one per agreement, and the partner's decisions on them. A decision names the
 * approval and its planHash; a newer plan for the agreement (or a decision taken already) is
 * answered `superseded` with the current one. An approval queues a run, which writes the plan if
 * ConnectWise and the usage still give it (with dates of the day it writes), and else holds the
 * new plan in its place.
 */
export class BillingApprovalService {
  constructor(private readonly deps: BillingApprovalDeps) {}

  private async integrationOf(partnerId: string) {
    const integration = await this.deps.repos.integrations.findForPartner(partnerId);
    if (!integration) throw notFound('ConnectWise integration');
    return integration;
  }

  async listPending(
    partnerId: string,
    options: { customerId?: string; after?: number; limit: number },
  ): Promise<{ items: BillingApproval[]; next: number | null }> {
    const integration = await this.integrationOf(partnerId);
    return await this.deps.repos.billingApprovals.listPending(
      { partnerId, integrationId: integration.id, tenantKey: tenantKeyOfIntegration(integration) },
      {
        ...(options.customerId ? { customerId: options.customerId } : {}),
        ...(options.after !== undefined ? { afterAgreementId: options.after } : {}),
        limit: options.limit,
        now: new Date(),
      },
    );
  }

  /**
   * Decides each approval, all checked first: a refused one (superseded, another plan, a
   * candidate without its answer) refuses the whole request and nothing is decided.
   */
  async decide(
    partnerId: string,
    decisions: readonly ApprovalDecisionInput[],
    by: string,
  ): Promise<{ decided: BillingApproval[]; runWorkflowId: string | null }> {
    const integration = await this.integrationOf(partnerId);
    const scope = { partnerId, integrationId: integration.id };
    const tenantKey = tenantKeyOfIntegration(integration);
    const now = new Date();
    const problems: FieldProblem[] = [];
    const current = await Promise.all(
      decisions.map(async (d, i) => {
        const agreementId = agreementOf(d.approvalId);
        const approval =
          agreementId === undefined
            ? undefined
            : await this.deps.repos.billingApprovals.get(scope, agreementId);
        if (!approval || approval.tenantKey !== tenantKey) {
          problems.push({ field: `body.decisions.${i}.approvalId`, message: 'no such approval' });
          return undefined;
        }
        const candidates = approval.operations.flatMap((op) =>
          op.action === 'candidate' ? [op.additionId] : [],
        );
        const answered = new Set((d.candidates ?? []).map((c) => c.additionId));
        if (d.decision === 'approve') {
          const missing = candidates.filter((id) => !answered.has(id));
          if (missing.length > 0)
            problems.push({
              field: `body.decisions.${i}.candidates`,
              message: `say adopt, keep_separate or cancel for addition${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
            });
          const adopted = new Set(
            (d.candidates ?? []).filter((c) => c.decision === 'adopt').map((c) => c.additionId),
          );
          const conflict = adoptionConflict(approval.operations, adopted);
          if (conflict)
            problems.push({
              field: `body.decisions.${i}.candidates`,
              message: `adopt at most one addition per product: the engine keeps one addition per sku (${conflict})`,
            });
          const unknown = [...answered].filter((id) => !candidates.includes(id));
          if (unknown.length > 0)
            problems.push({
              field: `body.decisions.${i}.candidates`,
              message: `addition${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a candidate of this plan`,
            });
        }
        return approval;
      }),
    );
    if (problems.length > 0) throw invalidFields(problems);
    // The same request again (its answer was lost, or it ended in a 503 after the decisions were
    // saved): each approval already says what it asks, so it is answered again, and an approval
    // among them queues the run again (it joins one queued already).
    const repeated = current.map((a, i) => isSameAnswer(a!, decisions[i]!, by, now));
    const stale = current.filter(
      (a, i) =>
        !repeated[i] &&
        (a!.approvalId !== decisions[i]!.approvalId ||
          a!.planHash !== decisions[i]!.planHash ||
          a!.status !== 'pending' ||
          a!.expiresAt <= now),
    );
    if (stale.length > 0) {
      throw new ServiceError(
        'conflict',
        'superseded',
        'a newer plan replaced this approval, or it was decided or expired already: decide the current one',
        { current: stale },
      );
    }
    const decided: BillingApproval[] = [];
    for (const [i, d] of decisions.entries()) {
      const approval = current[i]!;
      if (repeated[i]) {
        decided.push(approval);
        continue;
      }
      const done = await this.deps.repos.billingApprovals.decide(
        scope,
        approval.agreementId,
        { approvalId: d.approvalId, planHash: d.planHash, now },
        {
          status: d.decision === 'approve' ? 'approved' : 'rejected',
          by,
          decisions: d.decision === 'approve' ? (d.candidates ?? []) : [],
        },
      );
      if (!done) {
        // Decided or replaced between the check and the write (another request, or a run).
        const now2 = await this.deps.repos.billingApprovals.get(scope, approval.agreementId);
        throw new ServiceError(
          'conflict',
          'superseded',
          'a newer plan replaced this approval, or it was decided meanwhile: decide the current one',
          { current: now2 ? [now2] : [] },
        );
      }
      decided.push(done);
    }
    const anyApproved = decided.some((d) => d.status === 'approved');
    const run = anyApproved
      ? await this.deps.lifecycle.synchronize(integration, {
          requestedAt: now.toISOString(),
          requestedBy: by,
        })
      : undefined;
    return { decided, runWorkflowId: run?.runWorkflowId ?? null };
  }
}

/**
 * An approval decided already exactly as this decision asks, by the same person, and not expired:
 * the decision is a repeat of the request that decided it.
 */
function isSameAnswer(
  approval: BillingApproval,
  d: ApprovalDecisionInput,
  by: string,
  now: Date,
): boolean {
  const choices = (list: ReadonlyArray<{ additionId: number; decision: string }>) =>
    JSON.stringify(
      [...list].sort((x, y) => x.additionId - y.additionId).map((c) => [c.additionId, c.decision]),
    );
  return (
    approval.approvalId === d.approvalId &&
    approval.planHash === d.planHash &&
    approval.status === (d.decision === 'approve' ? 'approved' : 'rejected') &&
    approval.decidedBy === by &&
    approval.expiresAt > now &&
    choices(approval.decisions) === choices(d.decision === 'approve' ? (d.candidates ?? []) : [])
  );
}
