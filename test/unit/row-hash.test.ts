/**
 * The HR row fingerprint must never change for the same row: every stored fingerprint
 * (employees.hr_hash) would go stale without a word, and the next nightly import would compare
 * every record in full. Pinned here to its definition (128 bits of SHA-256 over the fields as JSON,
 * base64url) and to a value computed once.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hrRowHash, storedHrHash, type HashedFields } from '../../electron/core/hr/row-hash';

const ROW: HashedFields = {
  employeeNumber: '10000042',
  firstName: 'Zoë',
  lastName: "O'Brien \"Quote\"",
  username: 'zobrien42',
  organisation: 'Hampshire Hospitals NHS Foundation Trust',
  department: 'Pharmacy',
  jobTitle: 'Staff Nurse',
  status: 'leaver',
  leavingDate: '2026-11-30',
  internetAccessApproved: true,
  emails: [
    { kind: 'work', address: 'Zoe.OBrien42@nhs.net' },
    { kind: 'personal', address: 'zoe\\42@example.test' },
  ],
};

describe('the HR row fingerprint', () => {
  it('is 128 bits of SHA-256 over the fields as JSON, as every stored fingerprint was made', () => {
    const json = JSON.stringify([
      ROW.employeeNumber,
      ROW.firstName,
      ROW.lastName,
      ROW.username,
      ROW.organisation,
      ROW.department,
      ROW.jobTitle,
      ROW.status,
      ROW.leavingDate,
      ROW.internetAccessApproved,
      ROW.emails.map((m) => [m.kind, m.address]),
    ]);
    expect(hrRowHash(ROW)).toBe(crypto.createHash('sha256').update(json).digest('base64url').slice(0, 22));
    expect(hrRowHash(ROW)).toBe('Cnbq1l5G2LLkcSEkpC6PuC');
  });

  it('changes with any field, and an address moved between kinds', () => {
    const base = hrRowHash(ROW);
    expect(hrRowHash({ ...ROW, jobTitle: 'Staff Nurse (acting up)' })).not.toBe(base);
    expect(hrRowHash({ ...ROW, leavingDate: null, status: 'active' })).not.toBe(base);
    expect(hrRowHash({ ...ROW, emails: [{ kind: 'personal', address: 'Zoe.OBrien42@nhs.net' }, { kind: 'work', address: 'zoe\\42@example.test' }] })).not.toBe(base);
    expect(storedHrHash(3, base)).toBe(`3:${base}`);
  });
});
