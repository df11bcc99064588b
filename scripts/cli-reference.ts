// Writes docs/cli.md from the `desk` command's usage entries (electron/cli/commands/*).
// test/unit/cli-reference.test.ts fails when the file is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliReference } from '../electron/cli/reference';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'cli.md');
fs.writeFileSync(file, cliReference());
console.log(`Wrote ${path.relative(process.cwd(), file)}`);
