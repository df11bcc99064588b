import { describe, expect, it } from 'vitest';
import type { EligibilityReason } from '../../shared/domain';
import { eligibility, formatDay, type EligibilityFacts } from '../../shared/eligibility';

const LEFT = '2026-03-03';
const ENABLED = '2025-11-20T23:30:00.000Z'; // late evening UTC: still the 20th

const LEAVER_DATED: EligibilityReason = { code: 'leaver', blocks: true, message: 'Left on 3 March 2026: leavers cannot register for MFA.' };
const LEAVER_UNDATED: EligibilityReason = { code: 'leaver', blocks: true, message: 'Has left: leavers cannot register for MFA.' };
const NO_INTERNET: EligibilityReason = {
  code: 'internet_not_approved',
  blocks: true,
  message: 'Internet access for ESR is not approved: it must be approved before registering for MFA.',
};
const NO_EMAIL: EligibilityReason = {
  code: 'no_email',
  blocks: false,
  message: 'No email address on record: a manager must add one before codes can be sent by email.',
};
const MFA_ON: EligibilityReason = { code: 'mfa_enabled', blocks: false, message: 'MFA has been enabled since 20 November 2025: it cannot be turned off.' };

type Who = 'active' | 'leaver' | 'leaver-undated';

const cases: Array<{ who: Who; internet: boolean; emails: number; mfa: boolean }> = [];
for (const who of ['active', 'leaver', 'leaver-undated'] as const) {
  for (const internet of [true, false]) {
    for (const emails of [0, 1, 2]) {
      for (const mfa of [false, true]) cases.push({ who, internet, emails, mfa });
    }
  }
}

function facts(c: (typeof cases)[number]): EligibilityFacts {
  return {
    status: c.who === 'active' ? 'active' : 'leaver',
    leavingDate: c.who === 'leaver' ? LEFT : null,
    internetAccessApproved: c.internet,
    emailCount: c.emails,
    mfaEnabledAt: c.mfa ? ENABLED : null,
  };
}

describe('eligibility', () => {
  it('covers 2 statuses × 2 internet × 3 email counts × 2 MFA, plus the undated leaver', () => {
    expect(cases).toHaveLength(36);
  });

  it.each(cases)('$who, internet approved $internet, $emails email(s), MFA enabled $mfa', (c) => {
    const reasons: EligibilityReason[] = [];
    if (c.who === 'leaver') reasons.push(LEAVER_DATED);
    if (c.who === 'leaver-undated') reasons.push(LEAVER_UNDATED);
    if (!c.internet) reasons.push(NO_INTERNET);
    if (c.emails === 0) reasons.push(NO_EMAIL);
    if (c.mfa) reasons.push(MFA_ON);
    // Only leaving and missing internet access stop registration; no email only rules the email
    // method out; MFA being on already stops nothing (another method can still be added).
    const canRegister = c.who === 'active' && c.internet;
    expect(eligibility(facts(c))).toEqual({
      canRegister,
      canUseApp: canRegister,
      canUseEmail: canRegister && c.emails > 0,
      reasons,
    });
  });

  it('lists the reasons in a fixed order: leaver, internet, email, MFA', () => {
    const r = eligibility({ status: 'leaver', leavingDate: LEFT, internetAccessApproved: false, emailCount: 0, mfaEnabledAt: ENABLED });
    expect(r.reasons.map((x) => x.code)).toEqual(['leaver', 'internet_not_approved', 'no_email', 'mfa_enabled']);
    expect(r.reasons.map((x) => x.blocks)).toEqual([true, true, false, false]);
  });

  it('goes by status: an active employee with a leaving date set is not a leaver', () => {
    const r = eligibility({ status: 'active', leavingDate: '2026-12-31', internetAccessApproved: true, emailCount: 1, mfaEnabledAt: null });
    expect(r).toEqual({ canRegister: true, canUseApp: true, canUseEmail: true, reasons: [] });
  });

  it('formats days in UK time, British style; a bare date stays the date it is', () => {
    expect(formatDay('2026-03-03')).toBe('3 March 2026');
    // 23:30 UTC in July is 00:30 the next day in British Summer Time.
    expect(formatDay('2025-07-20T23:30:00.000Z')).toBe('21 July 2025');
    expect(formatDay('2025-11-20T23:30:00.000Z')).toBe('20 November 2025');
    expect(formatDay('2026-01-01T00:00:00Z')).toBe('1 January 2026');
    expect(formatDay('2024-02-29')).toBe('29 February 2024');
  });
});
