/**
 * An extract row as a new employee's insert (employee-rows.ts encodeNewEmployee) in the database's
 * bulk format, its fingerprint that of the record's first version. Pure: the reader thread encodes
 * a first load's rows with it while the main thread writes the batch before (batch-apply.ts
 * encodes any it was not given). The reader hands a first load's batch on as NewRows (the rows'
 * keys and their inserts); rowsOf reads the whole rows back from them.
 */
import { encodeNewEmployee, joinJson, type EncodedEmployee, type EncodingFormat, type JoinedEmployees } from '../employees/employee-rows';
import type { EmailKind } from '../../../shared/domain';
import { fromCopyFields } from '../db/copy-text';
import type { HrRow, NewRowKey } from './row-checks';
import { storedHrHash } from './row-hash';

function lowerCase(emails: HrRow['emails']): string[] {
  const lc: string[] = [];
  for (const m of emails) lc.push(m.lc);
  return lc;
}

export function encodeNew(r: HrRow, format: EncodingFormat): EncodedEmployee {
  return encodeNewEmployee(
    {
      employeeNumber: r.employeeNumber,
      firstName: r.firstName,
      lastName: r.lastName,
      username: r.username,
      organisation: r.organisation,
      department: r.department,
      jobTitle: r.jobTitle,
      status: r.status,
      leavingDate: r.leavingDate,
      internetAccessApproved: r.internetAccessApproved,
      emails: lowerCase(r.emails),
      hrHash: storedHrHash(1, r.hash),
    },
    r.emails,
    format,
  );
}

/** A new employee's insert as COPY text (PostgreSQL). */
type CopyInsert = Extract<EncodedEmployee, { format: 'copy' }>;

/**
 * A first load's batch as the reader thread hands it on: what the plan needs of each row, and the
 * rows' inserts in the database's format, row for row: on sqlite joined into two JSON arrays (as
 * bytes), on PostgreSQL as COPY lines. Whole rows would cost the main thread more to receive than
 * to write.
 */
export type NewRows = { keys: NewRowKey[] } & ({ format: 'json'; joined: JoinedEmployees } | { format: 'copy'; inserts: CopyInsert[] });

/** Collects a batch's rows as NewRows in one format. */
export class NewRowsBuilder {
  private keys: NewRowKey[] = [];
  private rows: string[] = [];
  private emails: string[] = [];
  private inserts: CopyInsert[] = [];

  constructor(private readonly format: EncodingFormat) {}

  get size(): number {
    return this.keys.length;
  }

  add(r: HrRow): void {
    const e = encodeNew(r, this.format);
    this.keys.push({ employeeNumber: r.employeeNumber, username: r.username, line: r.line, addresses: r.emails.length });
    if (e.format === 'copy') {
      this.inserts.push(e);
    } else {
      this.rows.push(e.row);
      this.emails.push(e.emails);
    }
  }

  /** The rows added since the last take; the builder starts again empty. */
  take(): NewRows {
    const keys = this.keys;
    this.keys = [];
    if (this.format === 'copy') {
      const inserts = this.inserts;
      this.inserts = [];
      return { format: 'copy', keys, inserts };
    }
    const joined = joinJson(this.rows, this.emails);
    this.rows = [];
    this.emails = [];
    return { format: 'json', keys, joined };
  }
}

// PER_ROW_COLUMNS' values, as encodeNewEmployee writes them for a row of the extract.
type Values = [string, string, string, string, string, string, string, HrRow['status'], string | null, boolean, string, string, string, string];

/** encodeNewEmployee's COPY line read back: its text unescaped, the boolean from t or f. */
function copyRowValues(line: string): Values {
  const v = fromCopyFields(line);
  return [v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7] as HrRow['status'], v[8] ?? null, v[9] === 't', v[10]!, v[11]!, v[12]!, v[13]!];
}

const utf8 = new TextDecoder();

/** An insert's values and addresses, whichever the format. */
function insertsOf(n: NewRows): Array<{ values: Values; emails: Array<[EmailKind, string, string]> }> {
  if (n.format === 'json') {
    const values = JSON.parse(utf8.decode(n.joined.rows)) as Values[];
    const emails = JSON.parse(utf8.decode(n.joined.emails)) as Array<Array<[EmailKind, string, string]>>;
    return values.map((v, i) => ({ values: v, emails: emails[i]! }));
  }
  return n.inserts.map((e) => ({ values: copyRowValues(e.row), emails: e.emails.map((a) => fromCopyFields(a) as [EmailKind, string, string]) }));
}

/**
 * The whole rows back from NewRows (the batch is planned in full after all: someone else added an
 * employee during the first load). The values as encodeNew wrote them; the fingerprint from the
 * stored one (row-hash.ts storedHrHash).
 */
export function rowsOf(n: NewRows): HrRow[] {
  const inserts = insertsOf(n);
  return n.keys.map((k, i) => {
    const { values, emails } = inserts[i]!;
    const [employeeNumber, firstName, lastName, username, organisation, department, jobTitle, status, leavingDate, internetAccessApproved, , , , stored] = values;
    return {
      line: k.line,
      employeeNumber,
      firstName,
      lastName,
      username,
      organisation,
      department,
      jobTitle,
      status,
      leavingDate,
      internetAccessApproved,
      emails: emails.map(([kind, address, lc]) => ({ kind, address, lc })),
      hash: stored.slice(stored.indexOf(':') + 1),
    };
  });
}
