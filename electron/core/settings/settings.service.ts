import type { Knex } from 'knex';
import type { Deps } from '../handler';
import { z } from 'zod';
import type { Clock } from '../clock';
import { DeskError } from '../../../shared/errors';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import { smtpFromSchema, smtpHostSchema, smtpPortSchema, smtpSecuritySchema, smtpUserSchema } from '../../../shared/channels/mail';
import { recordAudit, type Actor } from '../audit/audit.service';
import { cannedRepliesSchema, DEFAULT_CANNED_REPLIES } from '../../../shared/canned-replies';

/** Every setting with its schema and default. Stored as JSON in the settings table. */
export const SETTINGS = {
  'session.idleMinutes': { schema: z.number().int().min(1).max(480), default: 15 },
  'totp.issuer': { schema: z.string().min(1).max(60), default: 'MFA Desk' },
  /** The account name employees see in their authenticator app (the ESS guide's "Hants" account). */
  'employee.totp.issuer': { schema: z.string().min(1).max(60), default: 'Hants' },
  /** How long an emailed one-time code is valid (the ESS guide: 20 minutes). */
  'otp.lifetimeMinutes': { schema: z.number().int().min(5).max(60), default: 20 },
  /**
   * The SMTP server mail goes out through; '' (the default) means none: mail is written as .eml
   * files to DATA_DIR/outbox instead. Its password is not a setting here: it is sealed with the
   * data key and kept by electron/core/mail/smtp-settings.ts under its own key, so no settings
   * listing can show it.
   */
  /** A webchat ticket open longer than this is past its service level (amber from three quarters of it). */
  'tickets.slaMinutes': { schema: z.number().int().min(5).max(7 * 24 * 60), default: 30 },
  /** The canned replies per ticket category (admins edit them; see tickets/canned-replies.ts). */
  'tickets.cannedReplies': { schema: cannedRepliesSchema, default: DEFAULT_CANNED_REPLIES },
  'smtp.host': { schema: smtpHostSchema, default: '' },
  'smtp.port': { schema: smtpPortSchema, default: 587 },
  'smtp.security': { schema: smtpSecuritySchema, default: 'starttls' },
  /** The SMTP login; '' sends without logging in. */
  'smtp.user': { schema: smtpUserSchema, default: '' },
  /** The From of every mail: an address, or a name and an address ("Shared Services <desk@example.org>"). */
  'smtp.from': { schema: smtpFromSchema, default: 'Shared Services <no-reply@mfa-desk.local>' },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.output<(typeof SETTINGS)[K]['schema']>;

export async function getSetting<K extends SettingKey>(db: Knex | Knex.Transaction, key: K): Promise<SettingValue<K>> {
  const row: { value: string } | undefined = await db('settings').where({ key }).first('value');
  const spec = SETTINGS[key];
  if (!row) return spec.default as SettingValue<K>;
  let stored: unknown;
  try {
    stored = JSON.parse(row.value);
  } catch {
    return spec.default as SettingValue<K>; // an unreadable value never stops the desk
  }
  const parsed = spec.schema.safeParse(stored);
  return (parsed.success ? parsed.data : spec.default) as SettingValue<K>;
}

export async function putSetting<K extends SettingKey>(
  db: Knex | Knex.Transaction,
  clock: Clock,
  key: K,
  value: SettingValue<K>,
): Promise<void> {
  const checked = SETTINGS[key].schema.parse(value);
  await db('settings')
    .insert({ key, value: JSON.stringify(checked), updated_at: clock.now().toISOString() })
    .onConflict('key')
    .merge();
}

/** Change a setting and record who changed it from what to what, in one transaction. */
export async function changeSetting<K extends SettingKey>(
  { db, clock }: Deps<'db' | 'clock'>,
  actor: Actor,
  /** inputPath: where the value sits in the caller's input, for the issue paths (e.g. 'replies'). */
  { key, value, inputPath = '' }: { key: K; value: unknown; inputPath?: string },
): Promise<SettingValue<K>> {
  const parsed = SETTINGS[key].schema.safeParse(value, { error: plainIssueMessage });
  if (!parsed.success) {
    const issues = validationIssues(parsed.error).map((i) => ({ ...i, path: [inputPath, i.path].filter(Boolean).join('.') }));
    throw new DeskError('VALIDATION', validationSummary(issues), { issues, setting: key });
  }
  const next = parsed.data as SettingValue<K>;
  await db.transaction(async (trx) => {
    const before = await getSetting(trx, key);
    await putSetting(trx, clock, key, next);
    await recordAudit(trx, clock, { actor, action: 'setting.changed', details: { key, from: before, to: next } });
  });
  return next;
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}
