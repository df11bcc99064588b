/**
 * Guided resolution: for each ticket category from the guides, a short checklist with the facts
 * already looked up (the last code mail and its delivery, the code's expiry, the factors, the
 * addresses on record, the eligibility rules) and the actions that fit — each enabled only when the
 * category calls for it and the rules allow it now (a verified caller on this ticket, eligibility,
 * the factors' states). Pure: the same facts always give the same guidance, so every category is
 * tested on its facts. The main process enforces the rules again when an action is taken.
 */
import { toText } from '../db/values';
import type {
  AuditEntry,
  CallerVerificationView,
  ChecklistItem,
  EmployeePageData,
  ManagerTaskView,
  MailLogEntry,
  OneTimeCodeView,
  TicketActionKind,
  TicketActionState,
  TicketCategory,
  TicketGuidance,
  TicketSummary,
} from '../../../shared/domain';
import { formatDay } from '../../../shared/eligibility';
import { ukClock } from '../../../shared/uk-time';
import { auditActionLabel } from '../../../shared/audit-actions';
import { CODE_TEMPLATES, WEBCHAT_URL, type MailTemplate } from '../mail/templates';
import { maskEmail, type ReplyValues } from '../../../shared/canned-replies';

export interface GuidanceFacts {
  page: EmployeePageData;
  verification: CallerVerificationView | null;
  linkedEvent: AuditEntry | null;
  /** The account name employees see in the authenticator app (the guide's "Hants"). */
  appAccount: string;
  lifetimeMinutes: number;
  now: Date;
  tasks: ManagerTaskView[];
}


/** Which actions each category calls for (the rest stay disabled on its checklist). */
export const CATEGORY_ACTIONS: Record<TicketCategory, readonly TicketActionKind[]> = {
  code_not_received: ['verify', 'restartRegistration', 'unlock', 'waitOnManager'],
  code_expired: ['verify', 'restartRegistration', 'unlock'],
  new_or_lost_phone: ['verify', 'reRegisterApp'],
  account_not_in_app: ['verify', 'reRegisterApp'],
  email_on_record: ['waitOnManager'],
  change_not_made_by_me: ['verify', 'reRegisterApp', 'reRegisterEmail'],
  left_the_trust: ['waitOnManager'],
  internet_not_approved: [],
  turn_mfa_off: ['verify', 'removeFactor'],
  other: ['verify', 'reRegisterApp', 'reRegisterEmail', 'restartRegistration', 'removeFactor', 'unlock', 'waitOnManager'],
};

/** A UK clock time, e.g. "09:05". */
const hhmm = ukClock;

function when(iso: string): string {
  return `${formatDay(iso)} ${hhmm(iso)}`;
}

/** The newest mail that carried a code. */
export function lastCodeMail(mails: readonly MailLogEntry[]): MailLogEntry | null {
  return mails.find((m) => CODE_TEMPLATES.has(m.template as MailTemplate)) ?? null;
}

function mailFact(mail: MailLogEntry | null): ChecklistItem {
  if (!mail) return { id: 'last-code-mail', state: 'warning', text: 'No code mail has been sent to this employee.' };
  const where = `${mail.template.replace(/_/g, ' ')} to ${mail.recipient}, queued ${when(mail.createdAt)}`;
  if (mail.status === 'sent') {
    return { id: 'last-code-mail', state: 'info', text: `Last code mail: ${where}; delivered${mail.sentAt ? ` ${hhmm(mail.sentAt)}` : ''} (server answered: ${mail.smtpResponse ?? 'accepted'}).` };
  }
  if (mail.status === 'failed') {
    return { id: 'last-code-mail', state: 'warning', text: `Last code mail: ${where}; NOT delivered: ${mail.lastError ?? 'refused'}. Check the address on record.` };
  }
  return { id: 'last-code-mail', state: 'warning', text: `Last code mail: ${where}; still waiting to be delivered (${mail.attempts} attempts so far).` };
}

function codeState(code: OneTimeCodeView, now: Date): string {
  if (code.consumedAt) return `used ${when(code.consumedAt)}`;
  if (code.lockedAt) return 'locked after too many wrong tries';
  if (code.supersededAt) return 'replaced by a newer code';
  const left = Date.parse(code.expiresAt) - now.getTime();
  if (left <= 0) return `expired at ${hhmm(code.expiresAt)}`;
  return `valid until ${hhmm(code.expiresAt)} (${Math.ceil(left / 60_000)} min left), ${code.maxAttempts - code.attempts} tries left`;
}

/** The codes an employee types on the portal: registration, reset and sign-in (not the agent's identity check). */
const PORTAL_CODES = ['registration', 'reset', 'sign_in'] as const;

function latestCode(page: EmployeePageData, purposes: readonly string[]): OneTimeCodeView | null {
  const list = page.codes.filter((c) => purposes.includes(c.purpose)).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return list[0] ?? null;
}

function isLive(code: OneTimeCodeView, now: Date): boolean {
  return !code.consumedAt && !code.lockedAt && !code.supersededAt && Date.parse(code.expiresAt) > now.getTime();
}

const PENDING_ALREADY = 'A registration is already waiting for the employee: send a new registration code instead.';

/** Whether each action fits now, by the rules alone (the category then narrows them). */
function ruleStates(ticket: TicketSummary, f: GuidanceFacts): Record<TicketActionKind, string | null> {
  const e = f.page.employee;
  const live = e.factors.filter((x) => x.state !== 'removed');
  const activeApp = live.some((x) => x.type === 'authenticator_app' && x.state === 'active');
  const activeEmail = live.some((x) => x.type === 'email' && x.state === 'active');
  // A registration already waiting is sent a fresh code (restart), not wiped by another re-registration.
  const pendingApp = live.some((x) => x.type === 'authenticator_app' && x.state === 'pending');
  const pendingEmail = live.some((x) => x.type === 'email' && x.state === 'pending');
  const blocking = f.page.eligibility.reasons.filter((r) => r.blocks);
  const eligible = blocking.length === 0 ? null : blocking.map((r) => r.message).join(' ');
  const resolved = ticket.status === 'resolved' ? 'The ticket is resolved: reopen it first.' : null;
  const verified = f.verification ? null : 'Verify the caller first.';
  const lockedCodes = f.page.codeLock.failures > 0 || f.page.codeLock.lockedAt !== null || e.locked;
  const openTask = f.tasks.some((t) => t.status === 'open');
  return {
    verify:
      resolved ??
      (f.verification
        ? 'The caller is verified on this ticket.'
        : e.emails.length === 0 && !activeApp
          ? 'No address on record and no authenticator app: only a supervisor can vouch for the caller.'
          : null),
    reRegisterApp:
      resolved ??
      verified ??
      eligible ??
      (pendingApp
        ? PENDING_ALREADY
        : live.some((x) => x.type === 'authenticator_app')
          ? null
          : 'No authenticator app to re-register: the employee adds one on the portal.'),
    reRegisterEmail:
      resolved ??
      verified ??
      eligible ??
      (e.emails.length === 0
        ? 'No email address on record: a manager must add one.'
        : pendingEmail
          ? PENDING_ALREADY
          : live.some((x) => x.type === 'email')
            ? null
            : 'No email method to re-register: the employee adds one on the portal.'),
    restartRegistration: resolved ?? verified ?? eligible ?? (f.page.registrations.length > 0 ? null : 'No registration is waiting to be finished.'),
    // The rule of the guide comes first: with one method there is nothing to verify the caller for.
    removeFactor: resolved ?? (activeApp && activeEmail ? verified : 'A method can be removed only when both (app and email) are set up.'),
    unlock: resolved ?? verified ?? (lockedCodes ? null : 'Nothing is locked: no wrong codes are counted.'),
    waitOnManager: resolved ?? (openTask ? 'A manager task is open already.' : null),
  };
}

/** The checklist and the actions for a ticket's category, on the facts looked up. */
export function guidanceFor(ticket: TicketSummary, f: GuidanceFacts): TicketGuidance {
  const e = f.page.employee;
  const items: ChecklistItem[] = [];
  const add = (id: string, state: ChecklistItem['state'], text: string) => items.push({ id, state, text });
  const verifyItem = () =>
    add(
      'verify',
      f.verification ? 'done' : 'todo',
      f.verification ? `Caller verified on this ticket by ${f.verification.verifiedBy} (until ${hhmm(f.verification.validUntil)}).` : 'Verify the caller: an identity-check code to an address on record, or a code from their app.',
    );
  const live = e.factors.filter((x) => x.state !== 'removed');
  const app = live.find((x) => x.type === 'authenticator_app') ?? null;
  const codesTo = e.emails.find((x) => x.usedForCodes) ?? e.emails[0] ?? null;
  let summary: string;

  switch (ticket.category) {
    case 'code_not_received': {
      summary = 'The employee did not get a one-time code.';
      const mail = lastCodeMail(f.page.mails);
      items.push(mailFact(mail));
      add('spam', 'todo', 'Ask them to check their spam or junk folders.');
      add('address', 'todo', codesTo ? `Check the address is theirs: codes go to ${codesTo.address}.` : 'No email address on record: a manager must add one.');
      if (f.page.codeLock.lockedAt) add('locked', 'warning', 'Their codes are locked after too many wrong codes: unlock them (verified caller).');
      const code = latestCode(f.page, PORTAL_CODES);
      if (code) add('code', isLive(code, f.now) ? 'info' : 'warning', `Latest code to ${code.recipient}: ${codeState(code, f.now)}.`);
      verifyItem();
      if (code?.purpose === 'sign_in') add('signin', 'todo', `A sign-in code: they ask for a new one on the portal's sign-in page (valid ${f.lifetimeMinutes} minutes).`);
      add('resend', f.page.registrations.length > 0 ? 'todo' : 'info', f.page.registrations.length > 0 ? 'Resend: restart the registration to send a fresh code.' : 'Nothing is waiting for a code: they start again on the portal.');
      break;
    }
    case 'code_expired': {
      summary = `One-time codes are valid for ${f.lifetimeMinutes} minutes; an expired code must be restarted.`;
      const code = latestCode(f.page, PORTAL_CODES);
      add('code', code && isLive(code, f.now) ? 'info' : 'warning', code ? `Latest code to ${code.recipient}, issued ${hhmm(code.issuedAt)}: ${codeState(code, f.now)}.` : 'No code has been issued to this employee.');
      if (code?.purpose === 'sign_in') add('restart', 'todo', `They ask for a new sign-in code on the portal's sign-in page (valid ${f.lifetimeMinutes} minutes).`);
      else add('restart', 'todo', `They start the registration or reset again and request a new code (valid ${f.lifetimeMinutes} minutes); or restart it here for them.`);
      verifyItem();
      break;
    }
    case 'new_or_lost_phone': {
      summary = 'A new or lost phone: the authenticator app is set up again.';
      add('app', app ? 'info' : 'warning', app ? `Authenticator app: ${app.state}${app.registeredAt ? ` since ${formatDay(app.registeredAt)}` : ''}${app.lastUsedAt ? `, last used ${when(app.lastUsedAt)}` : ''}.` : 'No authenticator app is set up: they add one on the portal.');
      verifyItem();
      add('reregister', 'todo', "Re-register the app: the old phone's codes stop working at once, and a code to set it up goes by email.");
      add('notify', 'info', `Every address on record (${e.emails.length}) gets a confirmation of the change.`);
      break;
    }
    case 'account_not_in_app': {
      summary = `They cannot find the ${f.appAccount} account in their authenticator app.`;
      add('account', 'todo', `Ask them to look for the account named "${f.appAccount}" in the app.`);
      add('passwords', 'todo', 'If they cannot find it: save the username and password in the Passwords app and try again (the guide).');
      add('app', app ? 'info' : 'warning', app ? `Authenticator app: ${app.state}${app.lastUsedAt ? `, last used ${when(app.lastUsedAt)}` : ', never used'}.` : 'No authenticator app is set up.');
      verifyItem();
      add('reregister', 'info', 'If the account was deleted from the app, re-register the app.');
      break;
    }
    case 'email_on_record': {
      summary = 'The email on record is missing or wrong: a manager corrects the record.';
      add(
        'emails',
        e.emails.length === 0 ? 'warning' : 'info',
        e.emails.length === 0 ? 'No email address on record.' : `On record: ${e.emails.map((x) => `${x.address} (${x.kind}${x.usedForCodes ? ', codes' : ''})`).join('; ')}.`,
      );
      add('manager', f.tasks.some((t) => t.status === 'open') ? 'done' : 'todo', 'Agents cannot change the record: set the ticket to wait on a manager, who corrects it.');
      add('return', 'info', 'When the manager saves the record, the ticket comes back to you.');
      break;
    }
    case 'change_not_made_by_me': {
      summary = 'The employee says a change was not made by them: secure the account.';
      const ev = f.linkedEvent;
      add('event', ev ? 'warning' : 'todo', ev ? `The change: ${auditActionLabel(ev.action).toLowerCase()} on ${when(ev.occurredAt)} by ${ev.actor}${ev.details.reference ? ` (reference ${toText(ev.details.reference)})` : ''}.` : 'Find the change: paste the reference from the confirmation mail.');
      verifyItem();
      const changed = typeof ev?.details.factorType === 'string' ? ev.details.factorType : null;
      add('reregister', 'todo', changed === 'email' ? 'Re-register the email method (the changed factor).' : changed === 'authenticator_app' ? 'Re-register the authenticator app (the changed factor).' : 'Re-register the factor that was changed.');
      add('notify', 'info', `Every address on record (${e.emails.length}) is told of the re-registration.`);
      break;
    }
    case 'left_the_trust': {
      summary = 'Leavers cannot register for MFA.';
      add(
        'status',
        e.status === 'leaver' ? 'warning' : 'info',
        e.status === 'leaver' ? `Left ${e.leavingDate ? `on ${formatDay(e.leavingDate)}` : ''}: leavers cannot register.` : 'The record says they are active: if they have left, a manager updates the record.',
      );
      add('explain', 'todo', 'Explain that leavers cannot register for MFA.');
      break;
    }
    case 'internet_not_approved': {
      summary = 'Internet access for ESR must be approved before registering.';
      add('internet', e.internetAccessApproved ? 'info' : 'warning', e.internetAccessApproved ? 'Internet access is approved on the record.' : 'Internet access for ESR is not approved.');
      add('explain', 'todo', 'Ask them to have Internet access for ESR approved, then register.');
      break;
    }
    case 'turn_mfa_off': {
      summary = 'Once MFA is enabled it cannot be turned off.';
      add('explain', 'todo', e.mfaEnabledAt ? `MFA is enabled since ${formatDay(e.mfaEnabledAt)}: it cannot be turned off or reverted.` : 'MFA is not enabled yet; once enabled it cannot be turned off.');
      const both = live.some((x) => x.type === 'authenticator_app' && x.state === 'active') && live.some((x) => x.type === 'email' && x.state === 'active');
      add('remove', 'info', both ? 'Both methods are set up: one of them can be removed (verified caller).' : 'Only one method is set up: it cannot be removed.');
      break;
    }
    default: {
      summary = 'Choose a category for a checklist.';
      verifyItem();
    }
  }
  for (const r of f.page.eligibility.reasons) {
    if (!items.some((i) => i.text === r.message)) items.push({ id: `eligibility-${r.code}`, state: r.blocks ? 'warning' : 'info', text: r.message });
  }
  const rules = ruleStates(ticket, f);
  const wanted = CATEGORY_ACTIONS[ticket.category];
  const actions: TicketActionState[] = (Object.keys(rules) as TicketActionKind[]).map((kind) => {
    if (!wanted.includes(kind)) return { kind, enabled: false, reason: 'Not part of this kind of problem (change the category if needed).' };
    const reason = rules[kind];
    return { kind, enabled: reason === null, reason };
  });
  return { summary, checklist: items, actions };
}

/** The facts a canned reply may mention: never a code, only a masked address and times. */
export function replyValues(ticket: TicketSummary, f: GuidanceFacts | null, appAccount: string, lifetimeMinutes: number): ReplyValues {
  const e = f?.page.employee;
  const codesTo = e ? (e.emails.find((x) => x.usedForCodes) ?? e.emails[0] ?? null) : null;
  const mail = f ? lastCodeMail(f.page.mails) : null;
  const code = f ? latestCode(f.page, PORTAL_CODES) : null;
  return {
    firstName: e?.firstName ?? 'there',
    maskedEmail: mail ? maskEmail(mail.recipient) : codesTo ? maskEmail(codesTo.address) : 'your email address',
    codeExpiresAt: code ? hhmm(code.expiresAt) : 'the time shown in the email',
    minutes: String(lifetimeMinutes),
    ticketRef: ticket.reference,
    webchatUrl: WEBCHAT_URL,
    leavingDate: e?.leavingDate ? formatDay(e.leavingDate) : 'the date on your record',
    appAccount,
  };
}
