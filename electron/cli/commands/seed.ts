/** `desk seed`: deterministic demo data and the three demo desk users. */
import { z } from 'zod';
import { SEED_MAX } from '../../../shared/schemas';
import { CLI_ACTOR } from '../../core/audit/audit.service';
import { seedDemoData } from '../../core/demo/seed.service';
import { UsageError } from '../failures';
import { check, int, parse, say, withCore } from '../support';
import { needs, type CommandFamily, type CommandUsage } from '../usage';

/** The most employees one seed run makes. */
const MAX_EMPLOYEES = 5_000_000;

const usage: CommandUsage = {
  command: 'seed',
  options: [
    { flag: '--employees', value: 'N', required: true, words: `How many demo employees, 1 to ${int(MAX_EMPLOYEES)}` },
    { flag: '--seed', value: 'S', words: `The seed, 0 to ${int(SEED_MAX)} (default 1): the same seed gives the same employees` },
  ],
  summary: 'Fill the database with deterministic demo data (and three demo desk users, whose sign-in details are printed)',
  details:
    'UK names, 8-digit employee numbers, several NHS organisations and departments, 1–3 emails each (work and personal), about 5% leavers, about 3% without internet access, a mix of factor states (app only, email only, both, none, pending registration) with their audit history; and three demo desk users (`agent.demo`, `manager.demo`, `supervisor.demo`) whose passwords are printed once. It streams in batches of 1,000 with progress lines on standard error and handles 2,000,000 employees.',
  examples: ['desk seed --employees 1000'],
};

async function seed(args: string[]): Promise<number> {
  const options = parse(args, usage);
  const employeesText = options.string('employees');
  if (employeesText === undefined) throw new UsageError(needs(usage));
  const employees = check(z.coerce.number().int().min(1).max(MAX_EMPLOYEES), employeesText, '--employees');
  const seedValue = check(z.coerce.number().int().min(0).max(SEED_MAX), options.string('seed') ?? '1', '--seed');
  await withCore(options.dataDir, async (core) => {
    const started = Date.now();
    let lastReport = 0;
    const result = await seedDemoData(core, CLI_ACTOR, {
      employees,
      seed: seedValue,
      deskUsers: true,
      onProgress: (done, total) => {
        const now = Date.now();
        if (done === total || now - lastReport > 1000) {
          lastReport = now;
          const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
          process.stderr.write(`seed: ${int(done)} / ${int(total)} employees (${int(rate)}/s)\n`);
        }
      },
    });
    say(`Loaded ${int(result.employees)} demo employees (seed ${seedValue}) into ${core.database.location}`);
    say('Demo desk users (each enrols an authenticator app at first sign-in):');
    for (const u of result.deskUsers) {
      say(`  ${u.role.padEnd(10)} username ${u.username}  password ${u.password ?? '(unchanged: the user already existed)'}`);
    }
  });
  return 0;
}

export const seedCommand: CommandFamily = { name: 'seed', usages: [usage], run: seed };
