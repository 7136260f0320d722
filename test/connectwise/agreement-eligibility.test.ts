import { evaluateAgreement, type AgreementFacts } from '../../connectwise';

const TODAY = '2025-06-15';
const recurring: AgreementFacts = {
  agreementStatus: 'Active',
  cancelledFlag: false,
  oneTimeFlag: false,
  billOneTimeFlag: false,
  billingCycle: { id: 3, name: 'Monthly' },
  noEndingDateFlag: true,
};

describe('evaluateAgreement', () => {
  it('accepts an active recurring agreement with no ending date', () => {
    expect(evaluateAgreement(recurring, TODAY)).toEqual({
      eligible: true,
      recurring: true,
      reason: 'Active recurring agreement (Monthly).',
    });
  });

  it('accepts an end date today or later, compared by day', () => {
    const ending = { ...recurring, noEndingDateFlag: false };
    expect(evaluateAgreement({ ...ending, endDate: '2025-06-15T00:00:00Z' }, TODAY).eligible).toBe(
      true,
    );
    expect(evaluateAgreement({ ...ending, endDate: '2026-01-01T00:00:00Z' }, TODAY).eligible).toBe(
      true,
    );
  });

  it.each([
    [{ billOneTimeFlag: true }, /billed one time/],
    [{ oneTimeFlag: true }, /one-time agreement/],
    [{ billingCycle: undefined }, /no billing cycle/],
    [{ billingCycle: { id: null, name: '' } }, /no billing cycle/],
  ])('one-time: %j', (change, reason) => {
    const result = evaluateAgreement({ ...recurring, ...change }, TODAY);
    expect(result.recurring).toBe(false);
    expect(result.eligible).toBe(false);
    expect(result.reason).toMatch(reason);
  });

  it.each([
    [{ cancelledFlag: true }, /cancelled/],
    [{ agreementStatus: 'Expired' as const }, /status is Expired, not Active/],
    [{ agreementStatus: 'Inactive' as const }, /status is Inactive/],
    [{ agreementStatus: null }, /status is not set/],
    [{ noEndingDateFlag: false, endDate: '2025-06-14T00:00:00Z' }, /ended on 2025-06-14/],
    [{ noEndingDateFlag: null, endDate: undefined }, /no end date/],
  ])('recurring but not eligible: %j', (change, reason) => {
    const result = evaluateAgreement({ ...recurring, ...change }, TODAY);
    expect(result).toMatchObject({ recurring: true, eligible: false });
    expect(result.reason).toMatch(reason);
  });

  it('requires today as a calendar day', () => {
    expect(() => evaluateAgreement(recurring, '2025-06-15T10:00:00Z')).toThrow(/yyyy-MM-dd/);
  });
});
