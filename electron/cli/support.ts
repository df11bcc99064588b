/** What every command module uses: reading its arguments, checking values, opening the core. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { rowIdSchema } from '../../shared/schemas';
import { plainIssueMessage } from '../../shared/validation';
import { openDeskCore, type DeskCore, type CoreOptions } from '../core/app';
import { startedClock, type Clock } from '../core/clock';
import { resolveConfig } from '../core/config';
import { UsageError } from './failures';
import { parseOptions, type CommandUsage } from './usage';

export interface Parsed {
  positionals: string[];
  dataDir: string | undefined;
  /** A valued option's text, if typed (or its default). */
  string(name: string): string | undefined;
  /** Whether a switch was given. */
  flag(name: string): boolean;
}

/** The arguments of a command, accepting exactly the options its usage entries list. */
export function parse(args: string[], ...usages: CommandUsage[]): Parsed {
  const options: NonNullable<ParseArgsConfig['options']> = { ...parseOptions(...usages), help: { type: 'boolean', short: 'h' } };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  // A name its usage does not list is a mistake in the command module, not in what was typed.
  const known = (name: string, type: 'string' | 'boolean') => {
    if (options[name]?.type !== type) throw new Error(`--${name} is not a ${type} option of ${usages.map((u) => u.command).join(', ')}`);
    return values[name];
  };
  return {
    positionals: parsed.positionals,
    dataDir: values['data-dir'] as string | undefined,
    string: (name) => known(name, 'string') as string | undefined,
    flag: (name) => known(name, 'boolean') === true,
  };
}

export function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value, { error: plainIssueMessage });
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues[0]?.message ?? 'not valid'}`);
  return r.data;
}

/** An id as typed on the command line. */
export const idArgument = z.coerce.number().pipe(rowIdSchema);

export const int = (n: number): string => n.toLocaleString('en-GB');

/**
 * DESK_CLOCK_START=<ISO time>: the desk's clock starts at that moment and runs on (tests and the
 * documentation's screenshots, whose dates must not move from day to day). Said on stderr.
 */
let clockNoted = false;
function clockFromEnv(): Clock | undefined {
  const start = process.env.DESK_CLOCK_START;
  if (!start) return undefined;
  const at = new Date(start);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(start)) throw new UsageError('DESK_CLOCK_START must be an ISO time such as 2026-11-02T09:30:00Z');
  if (!clockNoted) process.stderr.write(`desk: the clock starts at ${at.toISOString()} (DESK_CLOCK_START), not the system time.\n`);
  clockNoted = true;
  return startedClock(at);
}

/** The core on the data directory, with DESK_CLOCK_START's clock if set. */
export async function openCore(dataDir: string | undefined, options: Omit<CoreOptions, 'config' | 'clock'> = {}): Promise<DeskCore> {
  const clock = clockFromEnv();
  return openDeskCore({ config: resolveConfig({ dataDir }), ...options, ...(clock ? { clock } : {}) });
}

export async function withCore<T>(dataDir: string | undefined, fn: (core: DeskCore) => Promise<T>): Promise<T> {
  const core = await openCore(dataDir);
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const say = (line: string): void => {
  process.stdout.write(line + '\n');
};
