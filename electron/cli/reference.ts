/** docs/cli.md, made from the same usage entries as `desk help` (scripts/cli-reference.ts writes it; a test checks it). */
import { COMMANDS } from './commands';
import { referenceMarkdown } from './usage';

const PREFACE = `
The \`desk\` command runs the desk's work from a terminal, on the same data and with the same rules
as the app. After \`npm install\` it is \`node bin/desk.js …\` (or \`npx desk …\`, or \`desk …\`
once linked with \`npm link\`); \`desk help\` lists the commands and \`desk help COMMAND\` shows
one command's arguments and options.

The changes a command makes to the desk's data are recorded in the audit trail as done by \`cli\`.
Every failure is one plain line on standard error (\`desk: …\`), never a stack trace, and wrong
usage is refused before anything is done. An output file's folder must exist; that is checked
before anything is written or audited.
`;

/** The command that writes docs/cli.md, as the file and the test that checks it name it. */
export const CLI_REFERENCE_COMMAND = 'npx tsx scripts/cli-reference.ts';

export const cliReference = (): string => referenceMarkdown(COMMANDS, PREFACE, `\`${CLI_REFERENCE_COMMAND}\``);
