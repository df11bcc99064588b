/**
 * Canned replies: short answers per ticket category in plain English, for pasting into the
 * webchat, with the employee's facts filled in. Admins edit them (the setting
 * `tickets.cannedReplies`); whatever they write, a reply can never carry a code or a secret: the
 * only placeholders are the facts below, and digit runs that could be a code are refused.
 */
import { z } from 'zod';
import { TICKET_CATEGORIES, type CannedReplyTemplate, type CannedReplyView, type TicketCategory } from './domain';

/** What a reply may say about the employee (never a code, seed, password or full address). */
export const REPLY_PLACEHOLDERS = ['firstName', 'maskedEmail', 'codeExpiresAt', 'minutes', 'ticketRef', 'webchatUrl', 'leavingDate', 'appAccount'] as const;
export type ReplyPlaceholder = (typeof REPLY_PLACEHOLDERS)[number];
export type ReplyValues = Record<ReplyPlaceholder, string>;

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/**
 * Six or more digits in a row, as a person would read them: any script's decimal digits (ASCII,
 * fullwidth "１２３４５６", Arabic-Indic "١٢٣٤٥٦", mixed), with the separators a code is typed or
 * pasted with between them (spaces, dashes, as the code boxes accept) and invisible format
 * characters (a zero-width space) that would hide the run from the eye's count but not the reader's.
 */
const DIGIT_RUN = /\p{Nd}(?:[\s\u00a0\u2010-\u2015\u2212\p{Cf}-]*\p{Nd}){5,}/u;

/** Whether text holds a run of six or more digits that could be a code (see DIGIT_RUN). */
export function hasCodeLikeDigitRun(text: string): boolean {
  return DIGIT_RUN.test(text);
}

/** Why a reply text cannot be saved, or null. */
export function replyTextProblem(text: string): string | null {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return 'Control characters are not allowed';
  if (hasCodeLikeDigitRun(text)) return 'A reply must not contain a run of six or more digits (also with spaces or dashes between them): it could be a code';
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (!(REPLY_PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      return `Unknown placeholder {{${m[1]}}}: use ${REPLY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;
    }
  }
  return null;
}

export const cannedReplySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'Use 1–40 lower-case letters, digits, - or _ for the id'),
    category: z.enum(TICKET_CATEGORIES),
    title: z.string().trim().min(1, 'Give the reply a title').max(80),
    text: z
      .string()
      .trim()
      .min(1, 'Write the reply')
      .max(1000, 'Keep a reply under 1,000 characters')
      .superRefine((v, ctx) => {
        const problem = replyTextProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  })
  .strict();

export const cannedRepliesSchema = z
  .array(cannedReplySchema)
  .max(100, 'At most 100 canned replies')
  .refine((list) => new Set(list.map((r) => r.id)).size === list.length, 'Every reply needs its own id');

/** The replies a new desk starts with, drawn from the employee guides. */
export const DEFAULT_CANNED_REPLIES: CannedReplyTemplate[] = [
  {
    id: 'code-not-received',
    category: 'code_not_received',
    title: 'Check spam or junk',
    text: 'Thanks {{firstName}}. Your code was sent to {{maskedEmail}}. Please check your spam or junk folders. The code is valid for {{minutes}} minutes (until {{codeExpiresAt}}).',
  },
  {
    id: 'code-not-received-resend',
    category: 'code_not_received',
    title: 'New code sent',
    text: 'I have sent a new code to {{maskedEmail}}. It is valid for {{minutes}} minutes. If it is not in your inbox, please check your spam or junk folders.',
  },
  {
    id: 'code-expired',
    category: 'code_expired',
    title: 'Codes last 20 minutes',
    text: 'A code is valid for {{minutes}} minutes. If it has expired, please start the registration or reset again on the self-service portal and request a new code.',
  },
  {
    id: 'new-phone',
    category: 'new_or_lost_phone',
    title: 'Set up the app again',
    text: 'I have reset your authenticator app. A code to set it up again has gone to {{maskedEmail}}; it is valid for {{minutes}} minutes. Codes from your old phone no longer work.',
  },
  {
    id: 'account-not-in-app',
    category: 'account_not_in_app',
    title: 'Find the account in the app',
    text: 'In the authenticator app, look for the account named {{appAccount}}. If you cannot find it, save your username and password in the Passwords app and try again.',
  },
  {
    id: 'email-on-record',
    category: 'email_on_record',
    title: 'Your manager updates your record',
    text: 'If no email address is shown, or the one shown is wrong, your manager can update your record for you. I have asked a manager to correct it, and I will let you know when it is done.',
  },
  {
    id: 'not-me',
    category: 'change_not_made_by_me',
    title: 'We are securing your account',
    text: 'Thank you for telling us, {{firstName}}. Once I have confirmed it is you, I will reset the method that was changed. Every email address on your record will get a confirmation.',
  },
  {
    id: 'left-the-trust',
    category: 'left_the_trust',
    title: 'Leavers cannot register',
    text: 'Our records show you left on {{leavingDate}}. Leavers cannot register for multi-factor authentication.',
  },
  {
    id: 'internet-not-approved',
    category: 'internet_not_approved',
    title: 'Internet access must be approved',
    text: 'Before you can register for multi-factor authentication, Internet access for ESR must be approved for you. Please ask your manager to arrange it.',
  },
  {
    id: 'turn-mfa-off',
    category: 'turn_mfa_off',
    title: 'MFA cannot be turned off',
    text: 'Once multi-factor authentication is enabled it cannot be turned off. If you have both an authenticator app and an email address set up, you can remove one of them.',
  },
  {
    id: 'webchat',
    category: 'other',
    title: 'Contact us again',
    text: 'If you need anything else, contact Shared Services by webchat: {{webchatUrl}} (your reference is {{ticketRef}}).',
  },
];

export { maskEmail } from './masking';

/** Fill a reply's placeholders with the ticket's facts. */
export function fillReply(text: string, values: ReplyValues): string {
  return text.replace(PLACEHOLDER_RE, (_m, name: string) => (values as Record<string, string>)[name] ?? '');
}

/** The replies for a category (its own first, then the general ones), filled in. */
export function repliesFor(templates: readonly CannedReplyTemplate[], category: TicketCategory, values: ReplyValues): CannedReplyView[] {
  const own = templates.filter((t) => t.category === category);
  const general = category === 'other' ? [] : templates.filter((t) => t.category === 'other');
  return [...own, ...general].map((t) => ({ id: t.id, title: t.title, text: fillReply(t.text, values) }));
}
