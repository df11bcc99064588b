/** The mail (SMTP) settings and the test mail. */
import { z } from 'zod';
import { channel, empty, type ChannelMap } from './spec';
import { CONTROL_CHARACTERS, noControlCharactersMessage } from '../validation';
import { SMTP_SECURITIES, type SmtpSettingsView, type TestMailResult } from '../domain';

/**
 * The mail (SMTP) settings, as the settings store, the core and the smtp.update channel check
 * them. Each refuses control characters (CR/LF would inject SMTP commands or mail headers), on
 * the value as given, before any trimming, with words naming the field.
 */
const smtpText = (field: string, max: number) =>
  z
    .string()
    .refine((v) => !CONTROL_CHARACTERS.test(v), { message: noControlCharactersMessage(field), abort: true })
    .trim()
    .max(max);
export const smtpHostSchema = smtpText('The SMTP host', 253).regex(/^[A-Za-z0-9.:[\]_-]*$/, 'Enter a host name or an IP address, such as smtp.nhs.net');
export const smtpUserSchema = smtpText('The SMTP user name', 254);
export const smtpFromSchema = smtpText('The From address', 254).regex(
  /^(?:[^<>"\r\n,;]{0,120}<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
  'Enter an address, or a name and <address>, such as Shared Services <desk@nhs.net>',
);
export const smtpPasswordSchema = z
  .string()
  .refine((v) => !CONTROL_CHARACTERS.test(v), { message: noControlCharactersMessage('The SMTP password'), abort: true })
  .max(1000);
export const smtpPortSchema = z.number().int().min(1).max(65535);
/** none: plain SMTP; starttls: upgrade with STARTTLS and refuse to go on without it; tls: TLS from the start (port 465). */
export const smtpSecuritySchema = z.enum(SMTP_SECURITIES);
/**
 * A change to the SMTP settings; a field left out keeps its value. The password: left out or ''
 * keeps the stored one (a form shows an empty box, never the password), null removes it, any
 * other text replaces it.
 */
export const smtpSettingsInputSchema = z
  .object({
    host: smtpHostSchema.optional(),
    port: smtpPortSchema.optional(),
    security: smtpSecuritySchema.optional(),
    user: smtpUserSchema.optional(),
    from: smtpFromSchema.optional(),
    password: smtpPasswordSchema.nullable().optional(),
  })
  .strict();
/** Where a test mail goes: one address, no control characters. */
export const smtpTestRecipientSchema = smtpText('The address', 254);

export const mailChannels = {
  'smtp.get': channel<SmtpSettingsView>()({
    input: empty,
    access: 'desk.administer',
    summary: 'The mail (SMTP) settings, without the password (only whether one is set).',
  }),
  'smtp.update': channel<SmtpSettingsView>()({
    input: smtpSettingsInputSchema,
    access: 'desk.administer',
    summary: 'Change the mail (SMTP) settings; audited, the password sealed and never returned.',
  }),
  'smtp.testMail': channel<TestMailResult>()({
    input: z.object({ to: smtpTestRecipientSchema.min(3) }).strict(),
    access: 'desk.administer',
    summary: "Send one test message now through the mail settings and report the server's answer.",
  }),
} as const satisfies ChannelMap;
