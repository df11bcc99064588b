/**
 * The `desk` command: finds the command module and turns whatever fails into one line and an exit
 * code. Plain Node over electron/core; it never loads Electron.
 */
import { COMMANDS } from './commands';
import { oneLine, sayFailure, UsageError } from './failures';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    const command = name === undefined || name === '--help' || name === '-h' ? COMMANDS.find((c) => c.name === 'help') : COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`Unknown command: ${name}`);
    // `desk import hr x.csv --help` shows the command's help rather than running it.
    const help = COMMANDS.find((c) => c.name === 'help');
    if (command !== help && help && (rest.includes('--help') || rest.includes('-h'))) return await help.run([command.name]);
    return await command.run(rest);
  } catch (err) {
    // One line on stderr, whatever failed: wrong usage exits 2, anything else 1 (DeskError,
    // NewerDatabaseError and CliFailure carry words meant for people; other errors their message).
    if (err instanceof UsageError) {
      const message = oneLine(err);
      sayFailure(message.includes('desk help') ? message : `${message.replace(/[.:]$/, '')} (run \`desk help\` for usage)`);
      return 2;
    }
    sayFailure(oneLine(err));
    return 1;
  }
}

// Whatever escapes the commands (a stream's error event, a promise nobody awaited) is still one
// line and exit code 1, never Node's stack trace.
const crash = (err: unknown) => {
  sayFailure(oneLine(err));
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    sayFailure(oneLine(err));
    process.exitCode = 1;
  },
);
