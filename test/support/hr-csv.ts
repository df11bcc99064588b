/**
 * HR extracts for the tests and the benchmark: deterministic people (person i always has the same
 * number, names and addresses), written as CSV the way an HR system would, in constant memory.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import dictionaries from '../../resources/demo/dictionaries.json';
import { createRandom, demoEmployeeNumber, nameSlug } from '../../electron/core/demo/random';
import { HR_COLUMNS, type HrColumn } from '../../electron/core/hr/hr-import.service';

export type HrCsvRow = Record<HrColumn, string>;

/** Person i of the generated extract (i from 1), with the same data for the same i and seed. */
export function hrPerson(i: number, seed = 1): HrCsvRow {
  const rnd = createRandom(seed * 1_000_003 + i);
  const d = dictionaries;
  const first = rnd.pick(d.firstNames);
  const last = rnd.pick(d.lastNames);
  const org = rnd.pick(d.organisations);
  const leaver = rnd.chance(0.05);
  const hasWork = rnd.chance(0.9);
  const hasPersonal = !hasWork || rnd.chance(0.55);
  return {
    employee_number: demoEmployeeNumber(i),
    first_name: first,
    last_name: last,
    username: `${nameSlug(first).slice(0, 1)}${nameSlug(last)}${i}`,
    organisation: org.name,
    department: rnd.pick(d.departments),
    job_title: rnd.pick(d.jobTitles),
    status: leaver ? 'leaver' : 'active',
    leaving_date: leaver ? `20${String(rnd.int(15, 25))}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}` : '',
    internet_access_approved: rnd.chance(0.97) ? 'yes' : 'no',
    work_email: hasWork ? `${first}.${last.replace(/[^A-Za-z]/g, '')}${i}@${org.domain}` : '',
    personal_email: hasPersonal ? `${nameSlug(first)}${nameSlug(last)}${i}@${rnd.pick(d.personalDomains)}` : '',
  };
}

/** One CSV field, quoted when it has to be. */
export function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export interface CsvShape {
  columns?: readonly string[];
  eol?: '\n' | '\r\n';
  bom?: boolean;
}

/** Rows (objects keyed by column) as CSV text with a header row. */
export function hrCsv(rows: ReadonlyArray<Partial<Record<string, string>>>, shape: CsvShape = {}): string {
  const columns = shape.columns ?? HR_COLUMNS;
  const eol = shape.eol ?? '\n';
  const lines = [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c] ?? '')).join(','))];
  return (shape.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}

/**
 * Write persons 1..rows as an HR extract to `file`, streaming (a 2,000,000-row file is about
 * 330 MB). `change(i, row)` may alter a person (an update, a leaver) before the row is written.
 */
export async function writeHrCsv(
  file: string,
  rows: number,
  opts: { seed?: number; eol?: '\n' | '\r\n'; change?: (i: number, row: HrCsvRow) => HrCsvRow } = {},
): Promise<{ bytes: number }> {
  const eol = opts.eol ?? '\r\n';
  const out = fs.createWriteStream(file);
  await once(out, 'open');
  let bytes = 0;
  const put = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await put(HR_COLUMNS.join(',') + eol);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    let row = hrPerson(i, opts.seed ?? 1);
    if (opts.change) row = opts.change(i, row);
    chunk += HR_COLUMNS.map((c) => field(row[c])).join(',') + eol;
    if (chunk.length > 1 << 20) {
      await put(chunk);
      chunk = '';
    }
  }
  await put(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { bytes };
}
