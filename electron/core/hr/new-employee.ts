/**
 * An extract row as a new employee's insert (employee-rows.ts encodeNewEmployee) in the database's
 * bulk format, its fingerprint that of the record's first version. Pure: the reader thread encodes
 * a first load's rows with it while the main thread writes the batch before (batch-apply.ts
 * encodes any it was not given). On sqlite the reader hands a first load's batch on as NewRows
 * (the rows' keys and their inserts joined); rowsOf reads the whole rows back from them.
 */
import { encodeNewEmployee, joinJson, type EncodedEmployee, type EncodingFormat, type JoinedEmployees } from '../employees/employee-rows';
import type { EmailKind } from '../../../shared/domain';
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

/**
 * A sqlite first load's batch as the reader thread hands it on: what the plan needs of each row,
 * and the rows' inserts joined (JSON), row for row. Whole rows would cost the main thread more to
 * receive than to write.
 */
export interface NewRows {
  keys: NewRowKey[];
  joined: JoinedEmployees;
}

/** Collects a batch's rows as NewRows. */
export class NewRowsBuilder {
  private keys: NewRowKey[] = [];
  private rows: string[] = [];
  private emails: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(r: HrRow): void {
    const e = encodeNew(r, 'json');
    if (e.format !== 'json') throw new Error('NewRowsBuilder encodes json');
    this.keys.push({ employeeNumber: r.employeeNumber, username: r.username, line: r.line, addresses: r.emails.length });
    this.rows.push(e.row);
    this.emails.push(e.emails);
  }

  /** The rows added since the last take, joined; the builder starts again empty. */
  take(): NewRows {
    const taken = { keys: this.keys, joined: joinJson(this.rows, this.emails) };
    this.keys = [];
    this.rows = [];
    this.emails = [];
    return taken;
  }
}

/**
 * The whole rows back from NewRows (the batch is planned in full after all: someone else added an
 * employee during the first load). The values as encodeNew wrote them; the fingerprint from the
 * stored one (row-hash.ts storedHrHash).
 */
export function rowsOf(n: NewRows): HrRow[] {
  // PER_ROW_COLUMNS' values, as encodeNewEmployee writes them for a row of the extract.
  type Values = [string, string, string, string, string, string, string, HrRow['status'], string | null, boolean, string, string, string, string];
  const values = JSON.parse(n.joined.rows) as Values[];
  const emails = JSON.parse(n.joined.emails) as Array<Array<[EmailKind, string, string]>>;
  return n.keys.map((k, i) => {
    const [employeeNumber, firstName, lastName, username, organisation, department, jobTitle, status, leavingDate, internetAccessApproved, , , , stored] = values[i]!;
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
      emails: emails[i]!.map(([kind, address, lc]) => ({ kind, address, lc })),
      hash: stored.slice(stored.indexOf(':') + 1),
    };
  });
}
