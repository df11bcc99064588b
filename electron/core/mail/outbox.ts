import { insertedId, type InsertedId } from '../db/values';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Vault } from '../secrets/vault';
import { CODE_TEMPLATES, renderMail, type MailTemplate } from './templates';

/** The vault purpose (AAD) of a sealed outbox body. */
export const OUTBOX_BODY_PURPOSE = 'mail.body';

export interface OutboxMail {
  employeeId: number | null;
  template: MailTemplate;
  /** One recipient per row: a message counts as sent only for an address the server accepted. */
  to: string;
  values: Readonly<Record<string, string>>;
  /** The change's reference code (change confirmations), shown in the mail log. */
  reference?: string | null;
}

/**
 * Put a mail in the outbox, inside the caller's transaction: the change, its audit row and its
 * mails are committed together or not at all; the sender delivers them afterwards. The
 * Message-ID is fixed here, so a retry after a crash is the same message. A body that carries a
 * one-time code is sealed with the data key (no plain code in any column).
 */
export async function enqueueMail(trx: Knex.Transaction | Knex, clock: Clock, vault: Vault, mail: OutboxMail): Promise<number> {
  const rendered = renderMail(mail.template, mail.values);
  const sealed = CODE_TEMPLATES.has(mail.template);
  const now = clock.now().toISOString();
  const [row] = await trx('mail_outbox')
    .insert({
      employee_id: mail.employeeId,
      template: mail.template,
      recipient: mail.to,
      subject: rendered.subject,
      body_text: sealed ? vault.seal(rendered.text, OUTBOX_BODY_PURPOSE) : rendered.text,
      body_html: sealed ? vault.seal(rendered.html, OUTBOX_BODY_PURPOSE) : rendered.html,
      sealed,
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      message_id: `<${crypto.randomUUID()}@mfa-desk.local>`,
      reference: mail.reference ?? null,
      created_at: now,
    })
    .returning<InsertedId[]>('id');
  return insertedId(row);
}
