/** The checks on a new list of emails that need nothing from the database, and the refusals the change can end in. */
import type { z } from 'zod';
import { updateEmailsInputSchema } from '../../../shared/channels/records';
import type { DeskRole, EmailKind, EmailOwner, EmployeeEmail } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import type { Actor } from '../audit/audit.service';
import type { EmailOnRecord } from '../mfa/common';

/** Who changes the record, in which role, on which ticket. */
export interface RecordsContext {
  actor: Actor;
  role: DeskRole;
  ticketRef: string;
}

export type UpdateEmailsInput = Omit<z.input<typeof updateEmailsInputSchema>, 'ticketRef'>;
export type CheckedEmailsInput = z.output<typeof updateEmailsInputSchema>;

export const KIND_WORDS: Record<EmailKind, string> = { work: 'work', personal: 'personal' };

export interface Issue {
  path: string;
  message: string;
}

export function invalid(issues: Issue[]): DeskError {
  return new DeskError('VALIDATION', validationSummary(issues), { issues });
}

export function view(e: EmailOnRecord): EmployeeEmail {
  return { id: e.id, kind: e.kind, address: e.address, usedForCodes: e.usedForCodes };
}

function listed(emails: readonly EmailOnRecord[]): string {
  return emails.length === 0 ? 'none' : emails.map((e) => `${KIND_WORDS[e.kind]} ${e.address}${e.usedForCodes ? ' (codes)' : ''}`).join(', ');
}

export function staleError(current: number, seen: number, emails: EmailOnRecord[]): DeskError {
  return new DeskError(
    'CONFLICT',
    `Someone else changed this record: the emails on record are now ${listed(emails)} (version ${current}; you saw version ${seen}); reload and try again.`,
    { conflict: 'stale', version: current, seenVersion: seen, emails: emails.map(view) },
  );
}

export function duplicateError(owners: EmailOwner[]): DeskError {
  const who = owners.map((o) => `${o.address} is also on the record of employee ${o.employeeNumber} (${o.name})`).join('; ');
  return new DeskError(
    'CONFLICT',
    `${who}. Check that the address really is this employee's; to go ahead, confirm with a reason.`,
    { conflict: 'duplicate', needsConfirmation: true, duplicates: owners },
  );
}

/** The checks that need nothing from the database: repeated addresses or ids, codes, the reason. */
function checkList(input: CheckedEmailsInput): Issue[] {
  const issues: Issue[] = [];
  const lcs = new Map<string, number>();
  const ids = new Set<number>();
  input.emails.forEach((e, i) => {
    const lc = e.address.toLowerCase();
    if (lcs.has(lc)) issues.push({ path: `emails.${i}.address`, message: `${e.address} is in the list twice` });
    else lcs.set(lc, i);
    if (e.id !== undefined) {
      if (ids.has(e.id)) issues.push({ path: `emails.${i}.id`, message: 'The same address on record is in the list twice' });
      ids.add(e.id);
    }
  });
  if (input.emails.filter((e) => e.usedForCodes).length > 1) {
    issues.push({ path: 'emails', message: 'Choose one address for codes at most' });
  }
  if (input.reEmailFactorTo !== undefined && !lcs.has(input.reEmailFactorTo.toLowerCase())) {
    issues.push({ path: 'reEmailFactorTo', message: 'Re-register the email method to one of the addresses in the list' });
  }
  if (input.confirmDuplicate && !input.reason) {
    issues.push({ path: 'reason', message: 'Write the reason for going ahead (at least 10 characters)' });
  }
  return issues;
}

/** The input parsed and its list checked (the router parsed it already; any other caller gets the same checks). */
export function checkedInput(ctx: RecordsContext, raw: UpdateEmailsInput): CheckedEmailsInput {
  const parsed = updateEmailsInputSchema.safeParse({ ...raw, ticketRef: ctx.ticketRef }, { error: plainIssueMessage });
  if (!parsed.success) throw invalid(validationIssues(parsed.error));
  const input = parsed.data;
  if (input.ticketRef !== ctx.ticketRef) {
    throw invalid([{ path: 'ticketRef', message: 'Enter the ticket reference: 3–64 letters, digits or . _ : / - only.' }]);
  }
  const listIssues = checkList(input);
  if (listIssues.length > 0) throw invalid(listIssues);
  return input;
}
