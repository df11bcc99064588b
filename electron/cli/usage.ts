/**
 * The one description of every `desk` command: each command module exports its entries, and this
 * turns them into `desk help`, the options `parseArgs` accepts, and the Markdown of docs/cli.md.
 */
import type { ParseArgsConfig } from 'node:util';

export interface OptionUsage {
  /** As typed: '--port'. */
  flag: `--${string}`;
  /** What follows the flag ('N', 'FILE'); none for a switch. */
  value?: string;
  /** Shown bare in the synopsis; the command itself checks that it is there. */
  required?: boolean;
  /** Options with the same choice are alternatives: [--employee ID | --employee-number N]. */
  choice?: string;
  /** The value parseArgs gives when the option is not typed. */
  default?: string;
  words: string;
}

export interface ArgumentUsage {
  name: string;
  words: string;
}

export interface CommandUsage {
  /** The words that name it: 'users add'. */
  command: string;
  args?: readonly ArgumentUsage[];
  options?: readonly OptionUsage[];
  /** What it does, as `desk help` says it. */
  summary: string;
  /** More for the reference only (docs/cli.md): what it prints, how it fails. */
  details?: string;
  examples?: readonly string[];
}

/** A top-level command: its entries (one per subcommand) and what runs it; the exit code it returns. */
export interface CommandFamily {
  name: string;
  usages: readonly CommandUsage[];
  run(args: string[]): Promise<number>;
}

/** What every command takes, said once for help and the reference. */
export const COMMON_OPTIONS: readonly OptionUsage[] = [
  { flag: '--data-dir', value: 'DIR', words: "Data directory (default: $DESK_DATA_DIR, else the app's data folder)" },
];

export const ENVIRONMENT: readonly ArgumentUsage[] = [
  { name: 'DESK_DATA_DIR', words: 'The data directory, unless --data-dir is given' },
  { name: 'DESK_DATABASE_URL', words: 'postgres://… to use PostgreSQL instead of the sqlite file' },
  { name: 'DESK_DATABASE_SCHEMA', words: 'The PostgreSQL schema to use (default: the connection’s own)' },
  {
    name: 'DESK_CLOCK_START',
    words:
      'An ISO time such as 2026-11-02T09:30:00Z: the desk’s clock starts there and runs on, so the dates tests and screenshots show do not move (said on standard error). Never set it on a desk people use',
  },
];

export const EXIT_CODES: readonly ArgumentUsage[] = [
  { name: '0', words: 'Done' },
  { name: '1', words: 'Failed; one line on standard error (`desk: …`) says why, never a stack trace' },
  { name: '2', words: 'Wrong usage; nothing was done' },
  { name: '3', words: '`desk audit verify` found a broken audit trail' },
  { name: '130', words: 'An import stopped with Ctrl+C (run it again to finish)' },
];

const optionText = (o: OptionUsage) => (o.value ? `${o.flag} ${o.value}` : o.flag);

/** The command line as typed, in pieces that stay whole when wrapped: names and arguments, then options (optional ones in brackets). */
function synopsisParts(u: CommandUsage): string[] {
  const parts = [[u.command, ...(u.args ?? []).map((a) => a.name)].join(' ')];
  const options = u.options ?? [];
  for (const o of options) {
    if (o.choice) {
      const group = options.filter((x) => x.choice === o.choice);
      if (group[0] === o) parts.push(`[${group.map(optionText).join(' | ')}]`);
    } else parts.push(o.required ? optionText(o) : `[${optionText(o)}]`);
  }
  return parts;
}

export const synopsis = (u: CommandUsage): string => synopsisParts(u).join(' ');

/** The options parseArgs accepts for these entries (a family parsing once takes them all). */
export function parseOptions(...usages: CommandUsage[]): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of [...COMMON_OPTIONS, ...usages.flatMap((u) => u.options ?? [])]) {
    const name = o.flag.slice(2);
    out[name] = o.value ? { type: 'string', ...(o.default === undefined ? {} : { default: o.default }) } : { type: 'boolean' };
  }
  return out;
}

/** One entry by its words ('users add'), for a command's own messages. */
export function usageOf(family: CommandFamily, command: string): CommandUsage {
  const u = family.usages.find((x) => x.command === command);
  if (!u) throw new Error(`No usage entry for ${command}`);
  return u;
}

/** What a usage error asks for: 'smtp test needs --to ADDRESS' (the required options, unless named). */
export function needs(u: CommandUsage, ...flags: string[]): string {
  const listed = u.options ?? [];
  const find = (flag: string) => {
    const o = listed.find((x) => x.flag === flag);
    if (!o) throw new Error(`${u.command} lists no ${flag}`);
    return o;
  };
  const options = flags.length ? flags.map(find) : listed.filter((o) => o.required);
  return `${u.command} needs ${options.map(optionText).join(' ')}`;
}

/** A family's subcommands as a usage error lists them: 'verify [--json], or checkpoint'. */
export function choices(family: CommandFamily): string {
  return family.usages
    .map((u) => {
      const full = synopsis(u);
      if (full.length <= 40) return full.slice(family.name.length + 1);
      const options = u.options ?? [];
      const required = synopsisParts({ ...u, options: options.filter((o) => o.required && !o.choice) });
      const more = options.some((o) => !o.required || o.choice) ? ' [options]' : '';
      return `${required.join(' ')}${more}`.slice(family.name.length + 1);
    })
    .join(', or ');
}

/** A family's subcommand names: 'add, list, disable or enable'. */
export function subcommandNames(family: CommandFamily): string {
  const names = family.usages.map((u) => u.command.slice(family.name.length + 1));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('');
}

const WIDTH = 100;
const COLUMN = 42;

/** Words wrapped to the width, every line indented to the column. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l);
}

/** A left-hand text and its words in the right-hand column (on the next line if it does not fit). */
function row(left: string, words: string, column = COLUMN): string[] {
  const right = wrap(words, column);
  if (left.length + 2 > column) return [left, ...right];
  return [left.padEnd(column) + right[0]!.trimStart(), ...right.slice(1)];
}

/** The footer's names are short: a narrower left column. */
const FOOTER_COLUMN = 24;

/** A synopsis too long for one line breaks before an option, continuing under the command's words. */
function synopsisLines(u: CommandUsage): string[] {
  const indent = ' '.repeat(2 + u.command.length + 1);
  const lines: string[] = [];
  let line = '  ';
  for (const part of synopsisParts(u)) {
    if (line.trim() && line.length + 1 + part.length > WIDTH) {
      lines.push(line);
      line = indent + part;
    } else line = line.trim() ? `${line} ${part}` : line + part;
  }
  return [...lines, line];
}

/** An entry as the overview shows it: the synopsis and what it does. */
function entryLines(u: CommandUsage): string[] {
  const head = synopsisLines(u);
  return [...head.slice(0, -1), ...row(head.at(-1)!, u.summary)];
}

/** An entry with its arguments, options and examples, as `desk help COMMAND` shows it. */
function fullEntryLines(u: CommandUsage): string[] {
  const out = entryLines(u);
  for (const a of u.args ?? []) out.push(...row(`      ${a.name}`, a.words));
  for (const o of u.options ?? []) out.push(...row(`      ${optionText(o)}`, o.words));
  if (u.examples?.length) out.push('      For example:', ...u.examples.map((e) => `        ${e}`));
  return out;
}

/** `desk help`: every command in a line or two; or, for the families named, their entries in full. */
export function helpText(header: string, families: readonly CommandFamily[], full = false): string {
  const lines = [header, '', `Usage: desk ${full && families.length === 1 ? families[0]!.name : '<command>'} [options]`, '', 'Commands:'];
  for (const f of families) for (const u of f.usages) lines.push(...(full ? fullEntryLines(u) : entryLines(u)));
  lines.push('', 'Options for every command:');
  for (const o of COMMON_OPTIONS) lines.push(...row(`  ${optionText(o)}`, o.words, FOOTER_COLUMN));
  if (full) return lines.join('\n') + '\n';
  lines.push('Environment:');
  for (const e of ENVIRONMENT) lines.push(...row(`  ${e.name}`, e.words, FOOTER_COLUMN));
  lines.push('Exit codes:');
  for (const c of EXIT_CODES) lines.push(...row(`  ${c.name}`, c.words, FOOTER_COLUMN));
  lines.push('', '`desk help COMMAND` shows its arguments and options; docs/cli.md is the whole reference.');
  return lines.join('\n') + '\n';
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => `\`${text.replace(/`/g, '')}\``;
const anchor = (title: string) => title.replace(/\s+/g, '-').toLowerCase();
const sentence = (text: string) => (/[.!?)]$/.test(text) ? text : `${text}.`);

function table(head: [string, string], rows: [string, string][]): string[] {
  return [`| ${head[0]} | ${head[1]} |`, '|---|---|', ...rows.map(([a, b]) => `| ${cell(a)} | ${cell(b)} |`)];
}

function entryMarkdown(u: CommandUsage, level: string): string[] {
  const out = ['', `${level} desk ${u.command}`, '', '```', `desk ${synopsis(u)}`, '```', '', sentence(u.summary)];
  if (u.details) out.push('', u.details);
  if (u.args?.length) out.push('', ...table(['Argument', 'Meaning'], u.args.map((a) => [code(a.name), a.words])));
  if (u.options?.length) {
    out.push('', ...table(['Option', 'Meaning'], u.options.map((o) => [`${code(optionText(o))}${o.required ? ' (required)' : ''}`, o.words])));
  }
  if (u.examples?.length) out.push('', 'For example:', '', '```', ...u.examples, '```');
  return out;
}

/** docs/cli.md: a preface, what every command shares, then a section per command (a subsection per subcommand). */
export function referenceMarkdown(families: readonly CommandFamily[], preface: string, source: string): string {
  const out = ['# The `desk` command', '', `<!-- Generated by ${source} from the usage entries in electron/cli/commands: edit them there, not here. -->`, '', preface.trim()];
  out.push('', '## Commands', '');
  for (const f of families) {
    const link = (u: CommandUsage, text: string) => `[${text}](#${anchor(`desk ${u.command}`)})`;
    if (f.usages.length === 1) out.push(`- ${link(f.usages[0]!, `desk ${f.usages[0]!.command}`)}`);
    else out.push(`- [desk ${f.name}](#${anchor(`desk ${f.name}`)}): ${f.usages.map((u) => link(u, u.command.slice(f.name.length + 1))).join(', ')}`);
  }
  out.push('', '## Options for every command', '', ...table(['Option', 'Meaning'], COMMON_OPTIONS.map((o) => [code(optionText(o)), o.words])));
  out.push('', '## Environment', '', ...table(['Variable', 'Meaning'], ENVIRONMENT.map((e) => [code(e.name), e.words])));
  out.push('', '## Exit codes', '', ...table(['Code', 'Meaning'], EXIT_CODES.map((c) => [c.name, c.words])));
  for (const f of families) {
    if (f.usages.length === 1) out.push(...entryMarkdown(f.usages[0]!, '##'));
    else {
      out.push('', `## desk ${f.name}`);
      for (const u of f.usages) out.push(...entryMarkdown(u, '###'));
    }
  }
  return out.join('\n') + '\n';
}
