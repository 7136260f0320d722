import type { Agreement } from './schemas/agreement';

export interface AgreementEligibility {
  /** Usage may be synced into it. */
  eligible: boolean;
  /** Billed on a cycle (not one-time). */
  recurring: boolean;
  /** Why, in words an MSP understands. */
  reason: string;
}

export type AgreementFacts = Pick<
  Agreement,
  | 'agreementStatus'
  | 'cancelledFlag'
  | 'oneTimeFlag'
  | 'billOneTimeFlag'
  | 'billingCycle'
  | 'noEndingDateFlag'
  | 'endDate'
>;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The recurring-agreement rule (docs/connectwise.md §5, verify):
 * one-time if billOneTimeFlag or oneTimeFlag, or no billing cycle; eligible if not one-time,
 * status Active, not cancelled, and no ending date or an end date on or after `today`.
 * `today` is the calendar day `yyyy-MM-dd` in the MSP's time zone, chosen by the caller, and is
 * compared with the date part of `endDate`.
 */
export function evaluateAgreement(agreement: AgreementFacts, today: string): AgreementEligibility {
  if (!ISO_DAY.test(today)) throw new RangeError(`today must be yyyy-MM-dd, got "${today}"`);
  const cycle = agreement.billingCycle;
  if (agreement.billOneTimeFlag === true) {
    return {
      eligible: false,
      recurring: false,
      reason:
        'This agreement is billed one time ("Bill one time" is set), so usage cannot be billed through it.',
    };
  }
  if (agreement.oneTimeFlag === true) {
    return {
      eligible: false,
      recurring: false,
      reason: 'This is a one-time agreement, so usage cannot be billed through it.',
    };
  }
  if (!cycle || cycle.id === null || cycle.id === undefined) {
    return {
      eligible: false,
      recurring: false,
      reason: 'This agreement has no billing cycle, so it is not a recurring agreement.',
    };
  }
  const notEligible = (reason: string): AgreementEligibility => ({
    eligible: false,
    recurring: true,
    reason,
  });
  if (agreement.cancelledFlag === true) return notEligible('This agreement is cancelled.');
  if (agreement.agreementStatus !== 'Active') {
    return notEligible(
      `This agreement's status is ${agreement.agreementStatus ?? 'not set'}, not Active.`,
    );
  }
  if (agreement.noEndingDateFlag !== true) {
    const endDay = agreement.endDate?.slice(0, 10);
    if (endDay === undefined || !ISO_DAY.test(endDay)) {
      return notEligible('This agreement has no end date and is not marked "No ending date".');
    }
    if (endDay < today) return notEligible(`This agreement ended on ${endDay}.`);
  }
  const cycleName = cycle.name ? ` (${cycle.name})` : '';
  return { eligible: true, recurring: true, reason: `Active recurring agreement${cycleName}.` };
}
