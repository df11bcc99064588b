import templates from '../../../resources/mail/templates.json';

export const MAIL_TEMPLATES = ['registration_code', 'identity_check_code', 'sign_in_code', 'change_confirmation', 'record_change'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** The placeholders each template needs; a missing one is a programming error, not a blank. */
export const TEMPLATE_VALUES: Record<MailTemplate, readonly string[]> = {
  registration_code: ['firstName', 'code', 'minutes', 'webchatUrl'],
  identity_check_code: ['firstName', 'code', 'minutes', 'ticketRef', 'webchatUrl'],
  sign_in_code: ['firstName', 'code', 'minutes', 'webchatUrl'],
  change_confirmation: ['firstName', 'when', 'change', 'reference', 'webchatUrl'],
  // A manager changed the emails on record: to every address, old and new. Never a code.
  record_change: ['firstName', 'when', 'changes', 'addresses', 'reference', 'webchatUrl'],
};

/** Templates whose body carries a one-time code: sealed at rest, never shown in the app. */
export const CODE_TEMPLATES: ReadonlySet<MailTemplate> = new Set(['registration_code', 'identity_check_code', 'sign_in_code']);

/** Where an employee reaches Shared Services; every mail names it. */
export const WEBCHAT_URL = 'https://www.example.nhs.uk/shared-services/webchat';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Fill a template: every placeholder must be given; HTML gets escaped values. */
export function renderMail(template: MailTemplate, values: Readonly<Record<string, string>>): RenderedMail {
  const t = (templates as unknown as Record<MailTemplate, { subject: string; text: string[]; html: string[] }>)[template];
  if (!t) throw new Error(`Unknown mail template ${template}`);
  for (const k of TEMPLATE_VALUES[template]) {
    if (typeof values[k] !== 'string') throw new Error(`Mail template ${template} needs a value for ${k}`);
  }
  const fill = (s: string, esc: (v: string) => string) =>
    s.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
      const v = values[k];
      if (v === undefined) throw new Error(`Mail template ${template} has {{${k}}} but no value was given`);
      return esc(v);
    });
  const plain = (v: string) => v;
  return {
    subject: fill(t.subject, plain).replace(/[\r\n]+/g, ' '),
    text: t.text.map((l) => fill(l, plain)).join('\n') + '\n',
    html: `<!doctype html>\n<html><body style="font-family:sans-serif">\n${t.html.map((l) => fill(l, escapeHtml)).join('\n')}\n</body></html>\n`,
  };
}
