/**
 * An extract row as a new employee's insert (employee-rows.ts encodeNewEmployee) in the database's
 * bulk format, its fingerprint that of the record's first version. Pure: the reader thread encodes
 * a first load's rows with it while the main thread writes the batch before (batch-apply.ts
 * encodes any it was not given).
 */
import { encodeNewEmployee, type EncodedEmployee, type EncodingFormat } from '../employees/employee-rows';
import type { HrRow } from './row-checks';
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
