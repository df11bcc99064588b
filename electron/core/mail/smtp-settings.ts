import crypto from 'node:crypto';
import type { Deps } from '../handler';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { DeskError } from '../../../shared/errors';
import { plainIssueMessage, validationIssues, validationSummary } from '../../../shared/validation';
import { smtpSettingsInputSchema, smtpTestRecipientSchema } from '../../../shared/channels/mail';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Vault } from '../secrets/vault';
import { putSetting, SETTINGS, type SettingKey } from '../settings/settings.service';
import { closeTransport, describeSmtpError, smtpTransport, writeEml, type SmtpConfig, type SmtpSecurity } from './transport';

export type { SmtpConfig, SmtpSecurity } from './transport';

/**
 * The settings table key of the SMTP password, sealed with the data key. Deliberately not in
 * SETTINGS: `desk settings list` and `desk settings set` only know SETTINGS, so they can neither
 * show the sealed value nor store a plain one in its place.
 */
export const SMTP_PASSWORD_KEY = 'smtp.passwordEnc';
/** The vault purpose (AAD) of the sealed SMTP password. */
export const SMTP_PASSWORD_PURPOSE = 'smtp.password';

const FIELDS = {
  host: 'smtp.host',
  port: 'smtp.port',
  security: 'smtp.security',
  user: 'smtp.user',
  from: 'smtp.from',
} as const satisfies Record<string, SettingKey>;
type Field = keyof typeof FIELDS;

/** What callers may see of the SMTP settings: never the password, only whether one is set. */
export interface SmtpView {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  from: string;
  passwordSet: boolean;
  /** A host is set: mail goes out by SMTP. Otherwise it is written to DATA_DIR/outbox as .eml files. */
  configured: boolean;
}

export type SmtpSettingsInput = z.input<typeof smtpSettingsInputSchema>;

interface Stored {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string;
  from: string;
  passwordSealed: string | null;
}

/** All SMTP settings in one query; a missing or unreadable value is its default. */
async function readStored(db: Knex | Knex.Transaction): Promise<Stored> {
  const keys = [...Object.values(FIELDS), SMTP_PASSWORD_KEY];
  const rows = await db('settings').whereIn('key', keys).select<Array<{ key: string; value: string }>>('key', 'value');
  const raw = new Map(rows.map((r) => [r.key, r.value]));
  const value = <K extends SettingKey>(key: K) => {
    const spec = SETTINGS[key];
    const text = raw.get(key);
    if (text === undefined) return spec.default;
    try {
      const parsed = spec.schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : spec.default;
    } catch {
      return spec.default;
    }
  };
  let passwordSealed: string | null = null;
  const sealedText = raw.get(SMTP_PASSWORD_KEY);
  if (sealedText !== undefined) {
    try {
      const v: unknown = JSON.parse(sealedText);
      passwordSealed = typeof v === 'string' && v !== '' ? v : null;
    } catch {
      passwordSealed = null;
    }
  }
  return {
    host: value('smtp.host') as string,
    port: value('smtp.port') as number,
    security: value('smtp.security') as SmtpSecurity,
    user: value('smtp.user') as string,
    from: value('smtp.from') as string,
    passwordSealed,
  };
}

function toView(s: Stored): SmtpView {
  return { host: s.host, port: s.port, security: s.security, user: s.user, from: s.from, passwordSet: s.passwordSealed !== null, configured: s.host !== '' };
}

export async function getSmtpView(db: Knex | Knex.Transaction): Promise<SmtpView> {
  return toView(await readStored(db));
}

/**
 * The settings the sender uses, with the password opened. For the mail code only: never hand
 * the result to a caller, never log it.
 */
export async function loadSmtpConfig(db: Knex | Knex.Transaction, vault: Vault): Promise<SmtpConfig> {
  const s = await readStored(db);
  let password: string | null = null;
  if (s.passwordSealed !== null) {
    try {
      password = vault.open(s.passwordSealed, SMTP_PASSWORD_PURPOSE);
    } catch {
      throw new DeskError('UNAVAILABLE', 'The stored SMTP password cannot be read with this data key: enter it again in the SMTP settings.');
    }
  }
  return { configured: s.host !== '', host: s.host, port: s.port, security: s.security, user: s.user, password, from: s.from };
}

/**
 * Change the SMTP settings: validated, stored and audited in one transaction. The password is
 * sealed before it is stored; the audit row says only that it changed.
 */
export async function updateSmtpSettings({ db, clock, vault }: Deps<'db' | 'clock' | 'vault'>, actor: Actor, input: unknown): Promise<SmtpView> {
  const parsed = smtpSettingsInputSchema.safeParse(input, { error: plainIssueMessage });
  if (!parsed.success) {
    const issues = validationIssues(parsed.error);
    throw new DeskError('VALIDATION', validationSummary(issues), { issues });
  }
  const next = parsed.data;
  return db.transaction(async (trx) => {
    const before = await readStored(trx);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of Object.keys(FIELDS) as Field[]) {
      const to = next[field];
      if (to === undefined || to === before[field]) continue;
      changes[field] = { from: before[field], to };
      await putSetting(trx, clock, FIELDS[field], to as never);
    }
    let passwordChanged = false;
    if (next.password === null) {
      if (before.passwordSealed !== null) {
        await trx('settings').where({ key: SMTP_PASSWORD_KEY }).delete();
        passwordChanged = true;
      }
    } else if (next.password !== undefined && next.password !== '') {
      const sealed = vault.seal(next.password, SMTP_PASSWORD_PURPOSE);
      await trx('settings')
        .insert({ key: SMTP_PASSWORD_KEY, value: JSON.stringify(sealed), updated_at: clock.now().toISOString() })
        .onConflict('key')
        .merge();
      passwordChanged = true;
    }
    if (Object.keys(changes).length > 0 || passwordChanged) {
      const details: Record<string, unknown> = { changes };
      if (passwordChanged) details.passwordChanged = true;
      if (passwordChanged && next.password === null) details.passwordRemoved = true;
      await recordAudit(trx, clock, { actor, action: 'smtp.settings_changed', details });
    }
    return toView(await readStored(trx));
  });
}

const testRecipientSchema = smtpTestRecipientSchema.regex(/^[^\s<>@,;"]+@[^\s<>@,;"]+\.[^\s<>@,;"]+$/, 'an email address');

export interface TestMailResult {
  ok: boolean;
  transport: 'smtp' | 'file';
  /** The server's answer ("250 2.0.0 OK …"), its error, or where the .eml file was written. */
  response: string;
}

/**
 * Send a test message now, through the configured transport (a one-off SMTP connection, or an
 * .eml file in DATA_DIR/outbox when no server is set), and say what came back. Never throws for
 * a delivery problem: the answer is the result.
 */
export async function sendTestMail(
  { db, vault, clock, dataDir }: Deps<'db' | 'vault' | 'clock'> & { dataDir: string },
  { to }: { to: string },
): Promise<TestMailResult> {
  const recipient = testRecipientSchema.safeParse(to);
  if (!recipient.success) throw new DeskError('VALIDATION', `Test mail recipient: ${recipient.error.issues[0]?.message ?? 'invalid'}`);
  const config = await loadSmtpConfig(db, vault);
  const now = clock.now();
  const message = {
    from: config.from,
    to: recipient.data,
    subject: 'MFA Desk test message',
    text:
      'This is a test message from MFA Desk.\n\n' +
      `It was sent at ${now.toISOString()} to check the mail settings. You do not need to do anything.\n`,
    messageId: `<test-${crypto.randomUUID()}@mfa-desk.local>`,
    date: now,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
  if (!config.configured) {
    const file = await writeEml(dataDir, `test-${crypto.randomUUID()}`, message);
    return { ok: true, transport: 'file', response: `No SMTP server is set: written to ${file}` };
  }
  const transport = smtpTransport(config, { pool: false, connectionTimeoutMs: 10_000, socketTimeoutMs: 20_000 });
  try {
    const info = await transport.sendMail(message);
    const accepted = (info.accepted ?? []).map(String).map((a) => a.toLowerCase());
    if (!accepted.includes(recipient.data.toLowerCase())) {
      return { ok: false, transport: 'smtp', response: info.response || 'The server did not accept the recipient' };
    }
    return { ok: true, transport: 'smtp', response: info.response ?? '' };
  } catch (err) {
    return { ok: false, transport: 'smtp', response: describeSmtpError(err) };
  } finally {
    closeTransport(transport);
  }
}
