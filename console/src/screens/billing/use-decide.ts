import { useState } from 'react';
import { ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { usePartner } from '../../partner';
import { candidatesOf, keyOf, type Answers } from './approval-answers';
import type { Approval, CandidateDecision, DecideAnswer, DecideBody } from './types';

/** The 409 `superseded` body: the approvals as they are now. */
const supersededOf = (err: unknown): Approval[] | undefined =>
  err instanceof ApiError && err.code === 'superseded'
    ? ((err.body as { error?: { current?: Approval[] } } | undefined)?.error?.current ?? [])
    : undefined;

/**
 * Approve or reject held approvals with the candidates' answers: which decision runs, its outcome,
 * a refusal named at its approval, or how many a newer plan superseded (the list is read again).
 */
export function useDecide(reload: () => Promise<void>, onDecided: () => void) {
  const { api, path } = usePartner();
  const [answers, setAnswers] = useState<Answers>({});
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [superseded, setSuperseded] = useState<number>();
  const [outcome, setOutcome] = useState<DecideAnswer>();

  const answer = (a: Approval, additionId: number, decision: CandidateDecision) =>
    setAnswers((all) => ({ ...all, [keyOf(a)]: { ...all[keyOf(a)], [additionId]: decision } }));

  async function decide(list: Approval[], decision: 'approve' | 'reject', what: string) {
    setBusy(what);
    setError(undefined);
    setProblems({});
    setSuperseded(undefined);
    setOutcome(undefined);
    const body: DecideBody = {
      decisions: list.map((a) => {
        const given = answers[keyOf(a)] ?? {};
        const candidates = candidatesOf(a);
        return {
          approvalId: a.approvalId,
          planHash: a.planHash,
          decision,
          ...(decision === 'approve' && candidates.length > 0
            ? {
                candidates: candidates.map((op) => ({
                  additionId: op.additionId,
                  decision: given[op.additionId] as CandidateDecision,
                })),
              }
            : {}),
        };
      }),
    };
    try {
      setOutcome(
        await ok(
          api.POST('/partners/{partnerId}/connectwise/billing/approvals/decide', {
            params: { path },
            body,
          }),
        ),
      );
      onDecided();
      await reload();
    } catch (err) {
      const current = supersededOf(err);
      if (current) {
        setSuperseded(current.length);
        await reload();
      } else if (err instanceof ApiError && err.fields.length > 0) {
        // A refused decision is named by its index: shown at its approval.
        const at: Record<string, string> = {};
        const rest = err.fields.filter((f) => {
          const i = /^body\.decisions\.(\d+)(\.|$)/.exec(f.field)?.[1];
          const a = i === undefined ? undefined : list[Number(i)];
          if (!a) return true;
          at[a.approvalId] = at[a.approvalId] ? `${at[a.approvalId]}; ${f.message}` : f.message;
          return false;
        });
        setProblems(at);
        if (rest.length > 0 || Object.keys(at).length === 0) setError(err);
        else setError(undefined);
      } else setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  return { answers, answer, busy, error, problems, superseded, outcome, decide };
}
