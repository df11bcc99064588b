import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE_COMMAND, cliReference } from '../../electron/cli/reference';
import { COMMANDS, usageText } from '../../electron/cli/commands';
import { synopsis } from '../../electron/cli/usage';

const root = path.resolve(__dirname, '../..');

describe('the CLI reference', () => {
  it('docs/cli.md is what the usage entries make', () => {
    const file = path.join(root, 'docs', 'cli.md');
    const written = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    // toBe shows the lines that differ; the message says how to bring the file up to date.
    expect(written, `docs/cli.md is out of date with electron/cli/commands: run \`${CLI_REFERENCE_COMMAND}\` (npm run docs:cli) and commit it`).toBe(cliReference());
  });

  it('desk help and the reference list every command, each with its synopsis', () => {
    const help = usageText();
    const reference = cliReference();
    for (const family of COMMANDS) {
      for (const u of family.usages) {
        expect(u.command.startsWith(family.name), u.command).toBe(true);
        expect(reference).toContain(`desk ${synopsis(u)}\n`);
        expect(help).toContain(`  ${u.command}`);
      }
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});
