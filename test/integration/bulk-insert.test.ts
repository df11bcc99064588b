/**
 * The bulk writers every load goes through (the HR import's batches, the demo seed, insertEmployee):
 * on sqlite one JSON parameter, on PostgreSQL COPY FROM STDIN. Text that COPY's format treats
 * specially must come back exactly as written, ids must be the table's own, and a failing row must
 * take the whole transaction back with it. The HR import writes new employees from rows encoded in
 * the database's own format (insertEncodedEmployees; on a first load its reader thread encodes them):
 * the same rows as the generic writer.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBool, toIso, toText } from '../../electron/core/db/values';
import { emailRow, employeeRow, encodeNewEmployee, encodingFor, insertEmails, insertEmployee, insertEmployees, insertEmployeesForIds, insertEncodedEmployees, insertJoinedEmployees, joinJson } from '../../electron/core/employees/employee-writer';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const NOW = '2026-12-05T08:00:00.000Z';

/** Names and addresses with every character COPY's text format escapes, and some it does not. */
const AWKWARD = [
  { first: 'Back\\slash', last: 'O\'Brien "Quote"' },
  { first: 'Tab\there', last: 'Line\nbreak' },
  { first: 'Carriage\rreturn', last: '\\N' },
  { first: 'Zoë Łukasz', last: '山田 🙂' },
  { first: 'Ends with \\', last: '\\\\double\\t' },
  { first: ' padded ', last: 'comma, semi; pipe|' },
];

function person(n: number, first: string, last: string) {
  return {
    employeeNumber: `BULK${String(n).padStart(4, '0')}`,
    firstName: first,
    lastName: last,
    username: `bulk.user${n}`,
    organisation: 'Org\\Unit\t2',
    department: 'Dept\nWest',
    jobTitle: n % 2 === 0 ? '' : 'Title with \\N inside',
    emails: [`bulk${n}@example.test`],
    createdAt: NOW,
    status: n % 3 === 0 ? ('leaver' as const) : ('active' as const),
    leavingDate: n % 3 === 0 ? '2026-11-30' : null,
    internetAccessApproved: n % 2 === 1,
  };
}

async function readBack(db: Knex, numbers: string[]) {
  const rows = (await db('employees').whereIn('employee_number', numbers).orderBy('employee_number')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    employee_number: r.employee_number,
    first_name: r.first_name,
    last_name: r.last_name,
    organisation: r.organisation,
    department: r.department,
    job_title: r.job_title,
    status: r.status,
    leaving_date: r.leaving_date === null ? null : toText(r.leaving_date),
    internet_access_approved: toBool(r.internet_access_approved),
    search_doc: r.search_doc,
  }));
}

describe.each(TARGETS)('bulk inserts on $name', (target: Target) => {
  let core: TestCore;

  beforeAll(async () => {
    core = await openTestCore(target);
  });

  afterAll(async () => {
    await core?.dispose();
  });

  it('keeps backslashes, tabs, line breaks, quotes, a literal \\N and non-Latin text exactly as written', async () => {
    const people = AWKWARD.map((a, i) => person(i + 1, a.first, a.last));
    const rows = people.map((p) => employeeRow(p));
    const ids = await core.db.transaction((trx) => insertEmployeesForIds(trx, rows));
    expect([...ids.keys()].sort()).toEqual(people.map((p) => p.employeeNumber).sort());

    const back = await readBack(core.db, people.map((p) => p.employeeNumber));
    expect(back).toEqual(
      rows.map((r) => ({
        employee_number: r.employee_number,
        first_name: r.first_name,
        last_name: r.last_name,
        organisation: 'Org\\Unit\t2',
        department: 'Dept\nWest',
        job_title: r.job_title,
        status: r.status,
        leaving_date: r.leaving_date,
        internet_access_approved: r.internet_access_approved,
        search_doc: r.search_doc,
      })),
    );
    // Nothing came back as NULL: the literal text "\N" is text, not a missing value.
    expect(back.find((b) => b.employee_number === 'BULK0003')!.last_name).toBe('\\N');

    // Each number's id is the row the database holds for it.
    for (const [number, id] of ids) {
      expect(Number((await core.db('employees').where({ employee_number: number }).first('id'))!.id)).toBe(id);
    }
  });

  it('numbers rows from the table\'s own sequence, so rows inserted one at a time afterwards do not collide', async () => {
    const batch = [7, 8, 9].map((n) => employeeRow(person(100 + n, `First${n}`, `Last${n}`)));
    const ids = await core.db.transaction((trx) => insertEmployeesForIds(trx, batch));
    const batchIds = batch.map((r) => ids.get(r.employee_number)!);
    expect(batchIds).toEqual([...batchIds].sort((a, b) => a - b));

    const later = await insertEmployee(core.db, { ...person(200, 'Later', 'One'), emails: [{ kind: 'work', address: 'Later.One@Example.test' }] });
    expect(later).toBeGreaterThan(Math.max(...batchIds));
    const mails = (await core.db('employee_emails').where({ employee_id: later })) as Array<Record<string, unknown>>;
    expect(mails.map((m) => [m.address, m.address_lc, m.kind, toBool(m.used_for_codes)])).toEqual([
      ['Later.One@Example.test', 'later.one@example.test', 'work', false],
    ]);
  });

  it('copies addresses with awkward text into employee_emails intact', async () => {
    const id = await insertEmployee(core.db, { ...person(300, 'Mail', 'Holder'), emails: [{ kind: 'work', address: 'mail.holder@example.test' }] });
    const odd = 'odd\\box\t"quoted"@example.test';
    await core.db.transaction((trx) => insertEmails(trx, [emailRow({ employeeId: id, kind: 'personal', address: odd, createdAt: NOW })]));
    const back = (await core.db('employee_emails').where({ employee_id: id, kind: 'personal' }).first()) as Record<string, unknown>;
    expect([back.address, back.address_lc]).toEqual([odd, odd.toLowerCase()]);
  });

  it('takes the whole batch back when one row breaks a constraint, and the table is as before', async () => {
    const before = Number(((await core.db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    const fresh = employeeRow(person(400, 'Fresh', 'Row'));
    const duplicate = employeeRow({ ...person(401, 'Dup', 'Row'), employeeNumber: 'BULK0001' });
    await expect(core.db.transaction((trx) => insertEmployeesForIds(trx, [fresh, duplicate]))).rejects.toThrow();
    await expect(core.db.transaction((trx) => insertEmployees(trx, [fresh, duplicate]))).rejects.toThrow();
    const after = Number(((await core.db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    expect(after).toBe(before);
    expect(await core.db('employees').where({ employee_number: fresh.employee_number }).first()).toBeUndefined();
  });

  it('works without a transaction of the caller\'s own (it opens one)', async () => {
    const rows = [employeeRow(person(500, 'No', 'Transaction'))];
    const ids = await insertEmployeesForIds(core.db, rows);
    expect(ids.get('BULK0500')).toBeGreaterThan(0);
    expect((await readBack(core.db, ['BULK0500']))[0]!.first_name).toBe('No');
  });
  it('writes encoded new employees (the HR import\'s) exactly as the generic writer does, numbered after the highest id ever given', async () => {
    const people = AWKWARD.map((a, i) => ({ ...person(600 + i, a.first, a.last), hrHash: i % 2 === 0 ? `1:hash${i}` : undefined }));
    const mails = (i: number) => [
      { kind: 'work' as const, address: `Enc.${i}@Example.test` },
      ...(i % 2 === 0 ? [{ kind: 'personal' as const, address: `odd\\${i}\t"q"@Example.test` }] : []),
    ];
    // The generic writer, for the record to compare with: then its rows go, so the ids it used are the highest given.
    const generic = await core.db.transaction(async (trx) => {
      const rows = people.map((p, i) => employeeRow({ ...p, employeeNumber: p.employeeNumber.replace('BULK', 'GULK'), username: `g${p.username}`, emails: mails(i).map((m) => m.address.toLowerCase()) }));
      const ids = await insertEmployeesForIds(trx, rows);
      await insertEmails(trx, people.flatMap((p, i) => mails(i).map((m) => emailRow({ employeeId: ids.get(p.employeeNumber.replace('BULK', 'GULK'))!, ...m, createdAt: NOW }))));
      return ids;
    });
    const top = Math.max(...generic.values());
    await core.db('employees').whereIn('id', [...generic.values()]).delete();

    const first = await core.db.transaction((trx) =>
      insertEncodedEmployees(
        trx,
        people.map((p, i) => encodeNewEmployee({ ...p, emails: mails(i).map((m) => m.address.toLowerCase()) }, mails(i), encodingFor(core.db))),
        NOW,
      ),
    );
    // After the deleted rows' ids: neither sqlite's AUTOINCREMENT nor PostgreSQL's sequence gives an id twice.
    expect(first).toBe(top + 1);
    const got = (await core.db('employees').where('id', '>=', first).orderBy('id')) as Array<Record<string, unknown>>;
    expect(got.map((r) => Number(r.id))).toEqual(people.map((_p, i) => first + i));
    const expected = people.map((p, i) => employeeRow({ ...p, emails: mails(i).map((m) => m.address.toLowerCase()) }));
    const comparable = (r: Record<string, unknown>) => ({
      ...Object.fromEntries(Object.keys(expected[0]!).map((k) => [k, r[k]])),
      internet_access_approved: toBool(r.internet_access_approved),
      has_app: toBool(r.has_app),
      has_email: toBool(r.has_email),
      pending_registration: toBool(r.pending_registration),
      locked: toBool(r.locked),
      created_at: toIso(r.created_at),
      updated_at: toIso(r.updated_at),
      hr_hash: r.hr_hash ?? undefined,
    });
    expect(got.map(comparable)).toEqual(expected.map((e, i) => ({ ...comparable(e as unknown as Record<string, unknown>), hr_hash: people[i]!.hrHash })));
    const back = (await core.db('employee_emails').where('employee_id', '>=', first).orderBy('id')) as Array<Record<string, unknown>>;
    expect(back.map((m) => [Number(m.employee_id), m.kind, m.address, m.address_lc, toBool(m.used_for_codes), m.source, toIso(m.created_at), toIso(m.updated_at)])).toEqual(
      people.flatMap((_p, i) => mails(i).map((m) => [first + i, m.kind, m.address, m.address.toLowerCase(), false, 'hr', NOW, NOW])),
    );
    // The table's own numbering goes on after them.
    const next = await insertEmployee(core.db, { ...person(690, 'After', 'Encoded'), emails: [] });
    expect(next).toBe(first + people.length);
  });

  it('refuses encoded rows in the other database\'s format', async () => {
    const other = encodingFor(core.db) === 'copy' ? 'json' : 'copy';
    const row = encodeNewEmployee({ ...person(710, 'Wrong', 'Format'), emails: [] }, [], other);
    await expect(core.db.transaction((trx) => insertEncodedEmployees(trx, [row], NOW))).rejects.toThrow(/takes (json|copy) rows/);
    expect(await core.db('employees').where({ employee_number: 'BULK0710' }).first()).toBeUndefined();
  });

  it('inserts joined JSON rows but those it is told to leave out, the rest numbered in order with their own addresses (sqlite; PostgreSQL refuses them)', async () => {
    // Names beyond ASCII: the joined rows reach sqlite as UTF-8 bytes, read as text.
    const people = [0, 1, 2, 3, 4].map((i) => person(720 + i, `Zoë${i} 山田`, 'Row 🙂'));
    const mails = (i: number) =>
      i === 3 ? [] : [{ kind: 'work' as const, address: `Joined.${i}@Example.test` }, ...(i === 1 ? [{ kind: 'personal' as const, address: `joined.home${i}@example.test` }] : [])];
    const encoded = people.map((p, i) => encodeNewEmployee({ ...p, emails: mails(i).map((m) => m.address.toLowerCase()) }, mails(i), 'json'));
    const joined = joinJson(
      encoded.map((e) => e.row),
      encoded.map((e) => e.emails as string),
    );
    if (target.name === 'postgres') {
      await expect(core.db.transaction((trx) => insertJoinedEmployees(trx, joined, NOW))).rejects.toThrow(/only sqlite/);
      return;
    }
    const first = await core.db.transaction((trx) => insertJoinedEmployees(trx, joined, NOW, [0, 2]));
    const kept = [1, 3, 4];
    const got = await core.db('employees').where('id', '>=', first).orderBy('id').select<Array<{ id: number; employee_number: string; first_name: string; last_name: string }>>('id', 'employee_number', 'first_name', 'last_name');
    expect(got.map((r) => [Number(r.id), r.employee_number, r.first_name, r.last_name])).toEqual(kept.map((k, j) => [first + j, people[k]!.employeeNumber, people[k]!.firstName, 'Row 🙂']));
    const back = await core.db('employee_emails').where('employee_id', '>=', first).orderBy('id').select<Array<{ employee_id: number; address: string }>>('employee_id', 'address');
    expect(back.map((m) => [Number(m.employee_id), m.address])).toEqual(kept.flatMap((k, j) => mails(k).map((m) => [first + j, m.address])));
    // All of them left out: nothing written.
    expect(await core.db.transaction((trx) => insertJoinedEmployees(trx, joined, NOW, [0, 1, 2, 3, 4]))).toBe(0);
    expect(await core.db('employees').where('id', '>', first + 2).first()).toBeUndefined();
  });

  it('takes encoded new employees back whole when one breaks a constraint', async () => {
    const before = Number(((await core.db('employees').count({ n: '*' }).first()) as { n: number | string }).n);
    const format = encodingFor(core.db);
    const ok = encodeNewEmployee({ ...person(700, 'Fine', 'Row'), emails: [] }, [{ kind: 'work', address: 'fine.row@example.test' }], format);
    const clash = encodeNewEmployee({ ...person(701, 'Clash', 'Row'), employeeNumber: 'BULK0001', emails: [] }, [], format);
    await expect(core.db.transaction((trx) => insertEncodedEmployees(trx, [ok, clash], NOW))).rejects.toThrow();
    expect(Number(((await core.db('employees').count({ n: '*' }).first()) as { n: number | string }).n)).toBe(before);
    expect(await core.db('employee_emails').where({ address_lc: 'fine.row@example.test' }).first()).toBeUndefined();
  });
});
