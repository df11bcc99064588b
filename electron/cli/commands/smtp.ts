/** `desk smtp …`: the SMTP password (sealed) and a test mail through the mail settings. */
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { sendTestMail, updateSmtpSettings } from '../../core/mail/smtp-settings';
import { UsageError } from '../failures';
import { parse, readStdin, say, withCore } from '../support';
import { choices, needs, type CommandFamily, type CommandUsage } from '../usage';

const passwordUsage: CommandUsage = {
  command: 'smtp password',
  summary: 'Set the SMTP password from standard input (sealed; empty input removes it); host, port and the rest are settings (smtp.*)',
  details: 'The password is stored sealed with the data key. Host, port and the rest are changed with `desk settings set smtp.…`.',
  examples: ['desk smtp password < smtp-password.txt'],
};

const testUsage: CommandUsage = {
  command: 'smtp test',
  options: [{ flag: '--to', value: 'ADDRESS', required: true, words: 'Who the test mail goes to' }],
  summary: "Send a test mail now and print the server's answer",
  details: 'With no SMTP server set, the mail is written as an `.eml` file to the outbox folder and the answer says where. Exit code 1 if the mail was not sent.',
};

async function smtp(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'password') {
    const options = parse(rest, passwordUsage);
    const password = await readStdin();
    await withCore(options.dataDir, async (core) => {
      const view = await updateSmtpSettings(core, CLI_ACTOR, { password: password === '' ? null : password });
      say(view.passwordSet ? 'SMTP password stored (sealed with the data key).' : 'SMTP password removed.');
    });
    return 0;
  }
  if (action === 'test') {
    const options = parse(rest, testUsage);
    const to = options.string('to');
    if (to === undefined) throw new UsageError(needs(testUsage));
    return withCore(options.dataDir, async (core) => {
      const r = await sendTestMail({ ...core, dataDir: core.config.dataDir }, { to });
      say(`${r.ok ? 'Sent' : 'Not sent'} (${r.transport === 'file' ? 'no SMTP server set: outbox folder' : 'SMTP'}): ${r.response}`);
      return r.ok ? 0 : 1;
    });
  }
  throw new UsageError(`smtp needs: ${choices(smtpFamily)} (see \`desk help\`)`);
}

export const smtpFamily: CommandFamily = { name: 'smtp', usages: [passwordUsage, testUsage], run: smtp };
