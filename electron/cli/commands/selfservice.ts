/**
 * `desk selfservice …`: the employee's side, as the self-service portal calls it, with the same core
 * services and rules (the portal itself is another system; this stands in for it in tests and demos).
 */
import fs from 'node:fs';
import QRCode from 'qrcode';
import { oneTimeCodeSchema } from '../../../shared/channels/mfa';
import type { DeskCore } from '../../core/app';
import { confirmAppRegistration, confirmEmailRegistration, requestEmailCode, selfServiceStatus, startAppRegistration } from '../../core/mfa/selfservice.service';
import { outputFile, UsageError } from '../failures';
import { check, idArgument, parse, say, withCore } from '../support';
import { needs, subcommandNames, type CommandFamily, type CommandUsage, type OptionUsage } from '../usage';

const EMPLOYEE: OptionUsage = { flag: '--employee', value: 'ID', required: true, words: 'The employee, by id' };
const MAIL_NOTE = 'It delivers the mail it queued before it exits and says how that went; what cannot be delivered yet is retried by the app or `desk serve`.';

const usages: CommandUsage[] = [
  {
    command: 'selfservice status',
    options: [EMPLOYEE],
    summary: 'What the self-service portal shows an employee: eligibility, emails on record (with their ids) and factors',
    details: 'Whether they can register and why not (leavers and employees without approved internet access are refused), the emails on record with their ids, and their factors.',
  },
  {
    command: 'selfservice app start',
    options: [
      EMPLOYEE,
      { flag: '--qr', value: 'FILE', words: 'Write the otpauth URI as a QR code PNG to FILE (mode 0600; it must not exist yet; delete it once scanned)' },
      { flag: '--code', value: 'CODE', words: 'The emailed registration code, after Shared Services reset the app' },
    ],
    summary:
      'Start registering an authenticator app: prints the otpauth URI, or writes it as a QR code PNG to FILE (0600); --code is the emailed registration code after Shared Services reset the app',
    details: 'The otpauth URI is shown once; it holds the key.',
  },
  {
    command: 'selfservice app confirm',
    options: [EMPLOYEE, { flag: '--code', value: 'CODE', required: true, words: 'The current 6-digit code in the app' }],
    summary: 'Finish with the current 6-digit code from the app',
    details: `The app becomes active, MFA is enabled, and every address on record gets a confirmation. ${MAIL_NOTE}`,
  },
  {
    command: 'selfservice email request-code',
    options: [EMPLOYEE, { flag: '--email', value: 'EMAIL_ID', required: true, words: 'The address on record, by its id (see selfservice status)' }],
    summary: 'Send a registration code to that address on record',
    details: `A new request replaces the previous code. ${MAIL_NOTE}`,
  },
  {
    command: 'selfservice email confirm',
    options: [EMPLOYEE, { flag: '--code', value: 'CODE', required: true, words: 'The code in the email' }],
    summary: 'Finish with the emailed code',
    details: `As for the app: the email method becomes active, MFA is enabled, and every address on record gets a confirmation. ${MAIL_NOTE}`,
  },
];

/** A one-shot command delivers the mail it queued before it exits (what fails now, the app retries). */
async function deliverNow(core: DeskCore): Promise<void> {
  const r = await core.mail.drainOnce();
  if (r.sent + r.failed + r.retried === 0) return;
  const parts = [`${r.sent} delivered`, ...(r.retried ? [`${r.retried} to be retried by the app`] : []), ...(r.failed ? [`${r.failed} refused by the mail server`] : [])];
  say(`Mail: ${parts.join(', ')}.`);
}

async function selfservice(args: string[]): Promise<number> {
  const [area, ...afterArea] = args;
  const [action, ...rest] = area === 'status' ? ['status', ...afterArea] : afterArea;
  // Every subcommand accepts the options of them all, so one parse serves.
  const options = parse(rest, ...usages);
  const command = area === 'status' ? 'selfservice status' : `selfservice ${area} ${action}`;
  const usage = usages.find((u) => u.command === command);
  if (!usage) throw new UsageError(`selfservice needs: ${subcommandNames(selfserviceFamily)} (see \`desk help\`)`);
  const employeeText = options.string('employee');
  if (employeeText === undefined) throw new UsageError(needs(usage, '--employee'));
  const employeeId = check(idArgument, employeeText, '--employee');
  const codeText = options.string('code');
  const needCode = () => {
    if (codeText === undefined) throw new UsageError(needs(usage, '--code'));
    return check(oneTimeCodeSchema, codeText, '--code');
  };
  if (command === 'selfservice app start') {
    const code = codeText === undefined ? null : check(oneTimeCodeSchema, codeText, '--code');
    const qr = options.string('qr');
    if (qr !== undefined && fs.existsSync(qr)) throw new UsageError(`--qr ${qr} already exists; give a new file name`);
    if (qr !== undefined) outputFile(qr, '--qr');
    await withCore(options.dataDir, async (core) => {
      const started = await startAppRegistration(core, { employeeId, code });
      say(`Authenticator app registration started for ${started.account} (factor ${started.factorId}).`);
      say(`In Microsoft Authenticator add a work or school account for issuer "${started.issuer}", account "${started.account}".`);
      if (qr !== undefined) {
        const png = await QRCode.toBuffer(started.otpauthUri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
        fs.writeFileSync(qr, png, { mode: 0o600, flag: 'wx' });
        say(`QR code written to ${qr} (it holds the key: delete it once scanned).`);
      } else {
        say(`otpauth URI (shown once; it holds the key): ${started.otpauthUri}`);
      }
      say(`Then: desk selfservice app confirm --employee ${employeeId} --code <the 6-digit code in the app>`);
    });
    return 0;
  }
  await withCore(options.dataDir, async (core) => {
    if (command === 'selfservice status') {
      const st = await selfServiceStatus(core, { employeeId });
      say(`Employee ${st.employee.id} (${st.employee.username}), ${st.employee.status}; MFA ${st.employee.mfaEnabledAt ? `enabled since ${st.employee.mfaEnabledAt}` : 'not enabled'}`);
      say(st.eligibility.canRegister ? 'Can register for MFA.' : 'Cannot register for MFA.');
      for (const r of st.eligibility.reasons) say(`  - ${r.message}`);
      say(st.emails.length ? 'Emails on record:' : 'No email address on record.');
      for (const e of st.emails) say(`  ${String(e.id).padStart(8)}  ${e.kind.padEnd(8)} ${e.address}${e.usedForCodes ? '  (receives codes)' : ''}`);
      say(st.factors.length ? 'Factors:' : 'No factors.');
      for (const f of st.factors) say(`  ${String(f.id).padStart(8)}  ${f.type.padEnd(17)} ${f.state}${f.locked ? ' (locked)' : ''}`);
      return;
    }
    if (command === 'selfservice app confirm') {
      const done = await confirmAppRegistration(core, { employeeId, code: needCode() });
      say(`Authenticator app registered (factor ${done.factorId}); MFA enabled since ${done.mfaEnabledAt}.`);
      say(`Confirmation sent to ${done.confirmations} address${done.confirmations === 1 ? '' : 'es'} on record, reference ${done.reference}.`);
    } else if (command === 'selfservice email request-code') {
      const emailText = options.string('email');
      if (emailText === undefined) throw new UsageError(`${needs(usage, '--email')} (see selfservice status)`);
      const sent = await requestEmailCode(core, { employeeId, emailId: check(idArgument, emailText, '--email') });
      say(`Registration code sent to ${sent.recipient}; valid until ${sent.expiresAt} (request ${sent.requestId}).`);
      say(`Then: desk selfservice email confirm --employee ${employeeId} --code <the code in the email>`);
    } else {
      const done = await confirmEmailRegistration(core, { employeeId, code: needCode() });
      say(`Email method registered (factor ${done.factorId}); MFA enabled since ${done.mfaEnabledAt}.`);
      say(`Confirmation sent to ${done.confirmations} address${done.confirmations === 1 ? '' : 'es'} on record, reference ${done.reference}.`);
    }
    await deliverNow(core);
  });
  return 0;
}

export const selfserviceFamily: CommandFamily = { name: 'selfservice', usages, run: selfservice };
