/** A held plan's candidate additions and the partner's answers to them (adopt, keep, cancel). */
import type { Approval, CandidateDecision, PlanOperation } from './types';

export const CHOICES: Array<{ value: CandidateDecision; label: string }> = [
  {
    value: 'adopt',
    label: 'Adopt: the engine takes this addition over and sets its quantity',
  },
  {
    value: 'keep_separate',
    label: "Keep separate: bill the engine's own addition beside it (never asked again)",
  },
  {
    value: 'cancel',
    label: 'Cancel: cancel this addition at the period end; the engine bills its own',
  },
];

export const CHOICE_TEXT: Record<CandidateDecision, string> = {
  adopt: 'adopt',
  keep_separate: 'keep separate',
  cancel: 'cancel',
};

/** The candidate operations of a held plan: additions the engine does not own, to decide on. */
export const candidatesOf = (a: Approval) =>
  a.operations.filter(
    (op): op is PlanOperation & { additionId: number } =>
      op.action === 'candidate' && op.additionId !== null,
  );

/** Answers are kept per plan: a newer plan for the agreement asks again. */
export const keyOf = (a: Approval) => `${a.approvalId}:${a.planHash}`;

export type Answers = Record<string, Record<number, CandidateDecision>>;

/** Why this approval cannot be approved as answered, if it cannot. */
export function notReady(a: Approval, answers: Answers): string | undefined {
  const given = answers[keyOf(a)] ?? {};
  const candidates = candidatesOf(a);
  const open = candidates.filter((op) => given[op.additionId] === undefined).length;
  if (open > 0)
    return `Answer ${open === 1 ? 'the candidate addition' : `all ${open} candidate additions`} to approve.`;
  const adopted = candidates.filter((op) => given[op.additionId] === 'adopt').map((op) => op.sku);
  const twice = adopted.find((sku, i) => adopted.indexOf(sku) !== i);
  if (twice)
    return `Adopt at most one addition for ${twice}: the engine keeps one addition per product.`;
  return undefined;
}
