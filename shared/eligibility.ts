/**
 * Who may register for MFA, in the guides' words: leavers cannot register; internet access for
 * ESR must be approved first; the email method needs an email on record (a manager adds one);
 * once MFA is enabled it cannot be turned off. Pure, so the wording is tested for every case.
 */
import type { Eligibility, EligibilityReason } from './domain';
import { ukDay } from './uk-time';

export interface EligibilityFacts {
  status: 'active' | 'leaver';
  leavingDate: string | null;
  internetAccessApproved: boolean;
  emailCount: number;
  mfaEnabledAt: string | null;
}

/** A day in UK time, e.g. "20 November 2025" (see uk-time.ts). */
export const formatDay = ukDay;

export function eligibility(f: EligibilityFacts): Eligibility {
  const reasons: EligibilityReason[] = [];
  if (f.status === 'leaver') {
    reasons.push({
      code: 'leaver',
      blocks: true,
      message: f.leavingDate
        ? `Left on ${formatDay(f.leavingDate)}: leavers cannot register for MFA.`
        : 'Has left: leavers cannot register for MFA.',
    });
  }
  if (!f.internetAccessApproved) {
    reasons.push({
      code: 'internet_not_approved',
      blocks: true,
      message: 'Internet access for ESR is not approved: it must be approved before registering for MFA.',
    });
  }
  if (f.emailCount === 0) {
    reasons.push({
      code: 'no_email',
      blocks: false,
      message: 'No email address on record: a manager must add one before codes can be sent by email.',
    });
  }
  if (f.mfaEnabledAt) {
    reasons.push({
      code: 'mfa_enabled',
      blocks: false,
      message: `MFA has been enabled since ${formatDay(f.mfaEnabledAt)}: it cannot be turned off.`,
    });
  }
  const canRegister = !reasons.some((r) => r.blocks);
  return { canRegister, canUseApp: canRegister, canUseEmail: canRegister && f.emailCount > 0, reasons };
}
