/** Every `desk` command in the order help and the reference list them, and `desk help` itself. */
import { PRODUCT_NAME, VERSION } from '../../core/version';
import { helpText, type CommandFamily } from '../usage';
import { auditFamily } from './audit';
import { exportFamily } from './export';
import { importFamily } from './import';
import { keysFamily } from './keys';
import { seedCommand } from './seed';
import { selfserviceFamily } from './selfservice';
import { serveCommand } from './serve';
import { settingsFamily } from './settings';
import { smtpFamily } from './smtp';
import { portalFamily } from './portal';
import { migrateCommand, statusCommand } from './status';
import { usersFamily } from './users';

const helpCommand: CommandFamily = {
  name: 'help',
  usages: [
    {
      command: 'help',
      args: [{ name: '[COMMAND]', words: 'A command, to show its arguments and options too (e.g. users)' }],
      summary: 'Show this text, or with a command its arguments and options',
    },
  ],
  run: (args) => {
    const only = COMMANDS.find((c) => c.name === args[0]);
    process.stdout.write(only ? helpText(HEADER, [only], true) : usageText());
    return Promise.resolve(0);
  },
};

export const COMMANDS: readonly CommandFamily[] = [
  serveCommand,
  portalFamily,
  seedCommand,
  importFamily,
  usersFamily,
  keysFamily,
  settingsFamily,
  migrateCommand,
  smtpFamily,
  selfserviceFamily,
  auditFamily,
  exportFamily,
  statusCommand,
  helpCommand,
];

const HEADER = `${PRODUCT_NAME} ${VERSION}`;

/** What `desk help` prints. */
export const usageText = (): string => helpText(HEADER, COMMANDS);
