/** `desk serve`: the browser host on 127.0.0.1, with the app's background work. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { countDeskUsers } from '../../core/deskusers/deskusers.service';
import { hasEmployees } from '../../core/employees/employees.service';
import { startHost } from '../../host/server';
import { openBrowser } from '../open-browser';
import { check, openCore, parse, say } from '../support';
import type { CommandFamily, CommandUsage } from '../usage';

const usage: CommandUsage = {
  command: 'serve',
  options: [
    { flag: '--port', value: 'N', words: 'The port to listen on, 0–65535 (default 0: any free port)' },
    { flag: '--no-open', words: 'Do not open the address in the browser' },
  ],
  summary: 'Start the browser host on 127.0.0.1 and print its address',
  details:
    'Like the app, it delivers queued mail in the background and signs the audit chain’s head within minutes of new events and daily. On a database without desk users it says to open the address and create the first admin. Ctrl+C stops it.',
};

/** The built renderer: beside the bundled CLI (out/main, or a chunk folder under it), or out/ when run from source. */
function rendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ['../renderer', '../../out/renderer', '../../../out/renderer'].map((p) => path.resolve(here, p));
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[0]!;
}

async function serve(args: string[]): Promise<number> {
  const options = parse(args, usage);
  const portText = options.string('port');
  const port = portText === undefined ? 0 : check(z.coerce.number().int().min(0).max(65535), portText, '--port');
  // The browser host delivers the outbox in the background, as the app does.
  const core = await openCore(options.dataDir, { deliverMail: true, auditCheckpoints: true });
  const host = await startHost({ router: core.router, logger: core.logger, rendererDir: rendererDir(), port });
  say(`MFA Desk browser host: ${host.url}`);
  say(`Data: ${core.database.location}`);
  if ((await countDeskUsers(core.db)) === 0) say('First run: open the address to create the first admin.');
  else if (!(await hasEmployees(core.db))) {
    say('The database has no employees: sign in as an admin to load demo data, or run `desk seed --employees 1000`.');
  }
  if (!options.flag('no-open') && openBrowser(host.url)) say('Opened in your browser.');
  say('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await core.close();
  return 0;
}

export const serveCommand: CommandFamily = { name: 'serve', usages: [usage], run: serve };
