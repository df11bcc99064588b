/** Managers correcting an employee's record: the emails on record. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { employeeIdSchema, MAX_ROW_ID, noTextControls, rowIdSchema, CONTROL_REFUSED, ticketRefSchema } from '../schemas';
import { EMAIL_KINDS, type EmailsUpdated } from '../domain';

/** The longest email address on record (RFC 5321 path limit; the column is varchar(254)). */
export const EMAIL_MAX_LENGTH = 254;
const EMAIL_LOCAL_RE = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*$/;
const EMAIL_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why an address cannot go on an employee's record, in plain words, or null when it can. Strict on
 * purpose: an address on record ends up in mail headers, so one plain ASCII mailbox only — no
 * display name, list, comment, quoting, route or line break (no header tricks), at most 254
 * characters, a domain with a real top-level part. Spaces around it are the caller's to trim.
 */
export function emailAddressProblem(address: string): string | null {
  if (address.length === 0) return 'Enter the email address';
  if (address.length > EMAIL_MAX_LENGTH) return `An email address has at most ${EMAIL_MAX_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(address)) return 'Line breaks and control characters are not allowed in an email address';
  if (/\s/.test(address)) return 'An email address has no spaces';
  if (/[,;<>"'`()[\]\\:]/.test(address)) return 'Enter one plain address: no commas, semicolons, angle brackets, quotes, brackets or colons';
  if (/[^\x21-\x7e]/.test(address)) return 'Use plain letters (a–z), digits and . _ + - only';
  const at = address.indexOf('@');
  if (at < 0 || address.lastIndexOf('@') !== at) return 'An email address has exactly one @';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length === 0 || local.length > 64) return 'Before the @ an email address has 1–64 characters';
  if (!EMAIL_LOCAL_RE.test(local)) return 'Before the @ use letters, digits and . _ + - (no dot at the start or end, no two dots in a row)';
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => EMAIL_LABEL_RE.test(l)) || !/^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!)) {
    return 'After the @ put a domain such as nhs.net';
  }
  return null;
}

/**
 * An email address as typed, spaces around it dropped. The contract only bounds it: the main
 * process checks every new or corrected address with emailAddressProblem (an address already on
 * record and left as it is is not judged again, so an odd one from the HR feed does not block the
 * record).
 */
export const emailAddressSchema = z
  .string()
  .max(1000, `An email address has at most ${EMAIL_MAX_LENGTH} characters`)
  .transform((raw) => raw.replace(/^ +| +$/g, ''));

/** A manager's written reason (going ahead although the address is on another employee's record). */
export const recordReasonSchema = z
  .string()
  .trim()
  .min(10, 'Write the reason (at least 10 characters)')
  .max(1000, 'Keep the reason under 1,000 characters')
  .refine(noTextControls, CONTROL_REFUSED);

/** One address in the list of emails an employee's record should hold after the change. */
export const emailOnRecordInputSchema = z
  .object({
    /** The address's id when it is already on record (kept or corrected); left out for a new one. */
    id: rowIdSchema.optional(),
    kind: z.enum(EMAIL_KINDS),
    address: emailAddressSchema,
    /** Codes go to this address (at most one in the list). */
    usedForCodes: z.boolean().default(false),
  })
  .strict();

/**
 * records.updateEmails: the full list of addresses the record should hold (what is left out is
 * removed), on the record version the manager saw, on a ticket.
 */
export const updateEmailsInputSchema = z
  .object({
    employeeId: employeeIdSchema,
    ticketRef: ticketRefSchema,
    /** employees.version as shown on the employee page; a stale one is refused with CONFLICT. */
    version: z.number().int().min(1).max(MAX_ROW_ID),
    emails: z.array(emailOnRecordInputSchema).max(10, 'At most 10 addresses'),
    /** Re-register the email method to this address of the list (needed when its address is removed or corrected away). */
    reEmailFactorTo: emailAddressSchema.optional(),
    /** Go ahead although an address is on another employee's record (after the CONFLICT that listed them); needs a reason. */
    confirmDuplicate: z.boolean().optional(),
    reason: recordReasonSchema.optional(),
  })
  .strict();


export const recordsChannels = {
  'records.updateEmails': channel<EmailsUpdated>()({
    input: updateEmailsInputSchema,
    access: 'records.correct',
    summary:
      'Managers correct the emails on record: add, correct or remove a work or personal address and choose the one for codes, on the version they saw; audited, and every address (old and new) is told.',
  }),
} as const satisfies ChannelMap;
