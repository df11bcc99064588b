import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskError } from '../../shared/errors';
import type { EmployeeDetail, SearchResult } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { getEmployee, searchEmployees } from '../../electron/core/employees/employees.service';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

// A few more than the search's candidate cap (2,000), so a word found in most records overflows it.
const EMPLOYEES = 3000;
const SEED = 20_260_105;

interface Known {
  id: number;
  employee_number: string;
  first_name: string;
  last_name: string;
  username: string;
  sort_name: string;
  search_doc: string;
  emails: string[];
}

/**
 * What the search should answer, worked out in plain JavaScript over every employee: exact keys
 * first (by name), then rows containing every word (or, for a 1–2 character query, starting with
 * it), in name order.
 */
function expected(all: Known[], raw: string, limit: number): { ids: number[]; more: boolean } {
  // Control characters (NUL included) are read as spaces, as the search does.
  const q = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().toLowerCase().replace(/\s+/g, ' ');
  const byName = (a: Known, b: Known) => (a.sort_name < b.sort_name ? -1 : a.sort_name > b.sort_name ? 1 : a.id - b.id);
  const exact = all.filter((e) => e.employee_number === q || e.username === q || e.emails.includes(q)).sort(byName);
  const words = q.split(' ').filter(Boolean);
  const matched = words.some((w) => w.length >= 3)
    ? all.filter((e) => words.every((w) => e.search_doc.includes(w)))
    : all.filter((e) => e.sort_name.startsWith(q) || e.username.startsWith(q) || e.employee_number.startsWith(q));
  const ids = [...new Set([...exact, ...matched.sort(byName)].map((e) => e.id))];
  return { ids: ids.slice(0, limit), more: ids.length > limit };
}

/** Answers per target, compared at the end when both databases ran. */
const answers = new Map<string, Record<string, unknown>>();

describe.each(TARGETS)('employee search on $name', (target: Target) => {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  let core: TestCore;
  let all: Known[];
  const mine: Record<string, unknown> = {};
  const search = (q: string, limit = 50) => searchEmployees(core.db, q, limit);
  const ids = (r: SearchResult) => r.rows.map((x) => x.id);
  const byId = (id: number) => all.find((e) => e.id === id)!;

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    await seedDemoData(core.db, clock, { employees: EMPLOYEES, seed: SEED, deskUsers: false, actor: { userId: null, name: 'test' }, vault: core.vault });
    const rows: Array<Omit<Known, 'emails'>> = await core.db('employees')
      .select('id', 'employee_number', 'first_name', 'last_name', 'username', 'sort_name', 'search_doc')
      .orderBy('id');
    const emails: Array<{ employee_id: number; address_lc: string }> = await core.db('employee_emails').select('employee_id', 'address_lc');
    all = rows.map((r) => ({ ...r, id: Number(r.id), emails: emails.filter((m) => Number(m.employee_id) === Number(r.id)).map((m) => m.address_lc) }));
    answers.set(target.name, mine);
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('has the seeded employees to search', () => {
    expect(all).toHaveLength(EMPLOYEES);
  });

  it('puts the employee first for an exact employee number, username or email on record (any case)', async () => {
    const e = all[777]!;
    for (const q of [e.employee_number, e.username, e.username.toUpperCase(), `  ${e.employee_number} `]) {
      const r = await search(q);
      expect(r.rows[0]?.id, q).toBe(e.id);
      expect(r.query).toBe(q);
    }
    const withTwo = all.find((x) => x.emails.length >= 2)!;
    for (const address of withTwo.emails) {
      const shouted = address.toUpperCase();
      const r = await search(shouted);
      expect(r.rows[0]?.id, shouted).toBe(withTwo.id);
      expect(ids(r)).toEqual(expected(all, shouted, 50).ids);
    }
    // An address that differs by a character is not an exact hit.
    const near = withTwo.emails[0]!.replace('@', 'x@');
    expect(ids(await search(near))).not.toContain(withTwo.id);
  });

  it('finds every employee whose record contains a 3+ character surname fragment, in name order', async () => {
    const surname = all.map((e) => e.last_name).find((n) => n.length >= 7 && /^[A-Za-z]+$/.test(n))!;
    for (const fragment of [surname.slice(1, 5), surname.slice(2, 5).toUpperCase(), surname.toLowerCase()]) {
      const r = await search(fragment);
      const want = expected(all, fragment, 50);
      expect(want.ids.length).toBeGreaterThan(0);
      expect(ids(r), fragment).toEqual(want.ids);
      expect(r.more).toBe(want.more);
      for (const id of ids(r)) expect(byId(id).search_doc).toContain(fragment.toLowerCase());
    }
    // An unselective fragment fills the page and says there is more.
    const common = await search('son', 20);
    expect(ids(common)).toEqual(expected(all, 'son', 20).ids);
    expect(common.rows).toHaveLength(20);
    expect(common.more).toBe(true);
  });

  it('matches 1–2 character queries as prefixes of surname, username or employee number', async () => {
    const number = all[5]!.employee_number;
    for (const q of ['h', 'Ha', 'o', number.slice(0, 2)]) {
      const r = await search(q, 25);
      expect(r.rows.length, q).toBeGreaterThan(0);
      const p = q.toLowerCase();
      for (const id of ids(r)) {
        const e = byId(id);
        expect(e.sort_name.startsWith(p) || e.username.startsWith(p) || e.employee_number.startsWith(p), `${q} → ${e.sort_name}`).toBe(true);
      }
      const names = ids(r).map((id) => byId(id).sort_name);
      expect(names).toEqual([...names].sort());
      const want = expected(all, q, 25);
      expect([r.rows.length, r.more]).toEqual([want.ids.length, want.more]);
    }
    // A prefix with only a few matches returns exactly those.
    const prefixes = new Map<string, number>();
    for (const e of all) for (const s of new Set([e.sort_name, e.username, e.employee_number].map((v) => v.slice(0, 2)))) prefixes.set(s, (prefixes.get(s) ?? 0) + 1);
    const sparse = [...prefixes].find(([, n]) => n >= 2 && n <= 30)![0];
    const r = await search(sparse);
    expect(ids(r)).toEqual(expected(all, sparse, 50).ids);
    expect(r.more).toBe(false);
  });

  it('finds "first last" and "first l" with every word matching', async () => {
    const e = all[1234]!;
    const q = `${e.first_name} ${e.last_name}`;
    const r = await search(q);
    expect(ids(r)).toContain(e.id);
    expect(ids(r)).toEqual(expected(all, q, 50).ids);
    for (const id of ids(r)) {
      expect(byId(id).search_doc).toContain(e.first_name.toLowerCase());
      expect(byId(id).search_doc).toContain(e.last_name.toLowerCase());
    }
    const short = `${e.first_name}  ${e.last_name.slice(0, 2)}`;
    const rs = await search(short);
    expect(ids(rs)).toContain(e.id);
    expect(ids(rs)).toEqual(expected(all, short, 50).ids);
    mine.firstLast = ids(r);
  });

  it('treats LIKE wildcards and full-text syntax as plain characters', async () => {
    const surname = all[42]!.last_name.toLowerCase();
    const hostile = [
      '%', '_', '%%', '%%%', '___', `${surname.slice(0, 2)}%`, `%${surname.slice(1)}`, `${surname.slice(0, 1)}_${surname.slice(2, 4)}`, '\\',
      '"', '"""', `"${surname}`, `${surname}"`, `${surname}*`, '*', 'AND', `${surname} AND`, `${surname} OR zzz`, `NOT ${surname}`,
      '(', `(${surname})`, `${surname} NEAR(x)`, 'NEAR(', '-', `-${surname}`, '^', ':', `search_doc:${surname}`, "'", "' OR 1=1 --", '?',
    ];
    for (const q of hostile) {
      let r: SearchResult;
      try {
        r = await search(q);
      } catch (err) {
        throw new Error(`search for ${JSON.stringify(q)} failed: ${(err as Error).message}`);
      }
      const want = expected(all, q, 50);
      expect(ids(r), JSON.stringify(q)).toEqual(want.ids);
      expect(r.more, JSON.stringify(q)).toBe(want.more);
    }
    // Made only of wildcard or syntax characters, a query matches no record (none contains them).
    for (const q of ['%', '_', '%%', '%%%', '___', '\\', '"', '"""', '*', '(', 'NEAR(', '-', '^', ':', '?']) {
      expect((await search(q)).rows, JSON.stringify(q)).toEqual([]);
    }
  });

  it('answers a query containing a NUL or other control character instead of failing', async () => {
    const surname = all[42]!.last_name.toLowerCase();
    const plain = await search(surname);
    expect(plain.rows.length).toBeGreaterThan(0);
    for (const q of [`${surname}\u0000`, `\u0000${surname}`, `${surname}\u0007`]) {
      const r = await search(q).catch((err: Error) => err);
      expect(r, JSON.stringify(q)).not.toBeInstanceOf(Error);
      // The control character matches nothing in a name or address, so it must not narrow or widen the answer beyond the text around it.
      expect(ids(r as SearchResult), JSON.stringify(q)).toEqual(ids(plain));
    }
    for (const q of ['\u0000', '\u0000\u0000\u0000']) {
      const r = await search(q).catch((err: Error) => err);
      expect(r, JSON.stringify(q)).not.toBeInstanceOf(Error);
      expect((r as SearchResult).rows.length, JSON.stringify(q)).toBeLessThan(50);
    }
  });

  it('leaves nothing out when it says there is no more, even past the candidate cap', async () => {
    // "nhs" is in most records (work addresses), more than the 2,000 candidates the index hands on;
    // a short second word then narrows the answer to a page or less.
    expect(all.filter((e) => e.search_doc.includes('nhs')).length).toBeGreaterThan(2000);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const queries = [...letters]
      .flatMap((a) => [...letters].map((b) => `nhs ${a}${b}`))
      .filter((q) => {
        const n = expected(all, q, 1000).ids.length;
        return n >= 5 && n <= 50;
      })
      .slice(0, 40);
    expect(queries.length).toBeGreaterThan(10);
    const incomplete: string[] = [];
    for (const q of queries) {
      const r = await search(q);
      const want = expected(all, q, 50);
      if (!r.more && ids(r).join() !== want.ids.join()) incomplete.push(`${q}: ${r.rows.length} of ${want.ids.length}, more=false`);
    }
    expect(incomplete.length, incomplete.slice(0, 5).join('\n')).toBe(0);
  });

  it('honours the limit and says when there is more', async () => {
    const counts = new Map<string, number>();
    for (const e of all) counts.set(e.last_name.toLowerCase(), (counts.get(e.last_name.toLowerCase()) ?? 0) + 1);
    const surname = [...counts].find(([n, c]) => c >= 5 && c <= 30 && /^[a-z]{4,}$/.test(n) && expected(all, n, 100).ids.length === c)![0];
    const total = expected(all, surname, 100).ids.length;
    const full = await search(surname, total);
    expect([full.rows.length, full.more]).toEqual([total, false]);
    const cut = await search(surname, total - 1);
    expect([cut.rows.length, cut.more]).toEqual([total - 1, true]);
    expect(ids(cut)).toEqual(ids(full).slice(0, total - 1));
    const one = await search(all[3]!.employee_number, 1);
    expect([ids(one), one.more]).toEqual([[all[3]!.id], false]);
    const none = await search('qqqqzzzz');
    expect([none.rows, none.more]).toEqual([[], false]);
  });

  it('through the router: signed-in desk users search; the limit is checked', async () => {
    const session = core.sessions.create({ userId: 1, username: 'agent', displayName: 'Agent', role: 'agent', idleMinutes: 15 });
    const slot = { get: () => session.token, set: () => {} };
    const e = all[99]!;
    const res = await core.router.invoke('employees.search', { query: e.username, limit: 5 }, { slot, emit: () => {} });
    expect(res.ok).toBe(true);
    expect((res as { value: SearchResult }).value.rows[0]).toMatchObject({ id: e.id, username: e.username, employeeNumber: e.employee_number });
    expect(await core.router.invoke('employees.search', { query: 'x', limit: 101 }, { slot, emit: () => {} })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    // Ids are 32-bit integers on both databases: a larger one is refused as input, a missing one
    // is NOT_FOUND, never INTERNAL.
    for (const [employeeId, code] of [[e.id, null], [2 ** 31 - 1, 'NOT_FOUND'], [2 ** 31, 'VALIDATION'], [Number.MAX_SAFE_INTEGER, 'VALIDATION']] as const) {
      const got = await core.router.invoke('employees.get', { employeeId }, { slot, emit: () => {} });
      expect(got, String(employeeId)).toMatchObject(code === null ? { ok: true } : { ok: false, error: { code } });
    }
  });

  it('getEmployee returns emails and factors, never a secret, and NOT_FOUND for a missing id', async () => {
    const both = await core.db('factors').where({ state: 'active', type: 'email' }).whereIn(
      'employee_id',
      core.db('factors').where({ state: 'active', type: 'authenticator_app' }).select('employee_id'),
    ).orderBy('employee_id').first();
    const id = Number(both.employee_id);
    const d: EmployeeDetail = await getEmployee(core.db, id);
    const e = byId(id);
    expect(d).toMatchObject({ id, employeeNumber: e.employee_number, username: e.username, mfaState: 'enabled', version: 1 });
    expect(d.mfaEnabledAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(d.emails.map((m) => m.address.toLowerCase()).sort()).toEqual([...e.emails].sort());
    expect(d.factors.map((f) => `${f.type}/${f.state}`).sort()).toEqual(['authenticator_app/active', 'email/active']);
    const emailFactor = d.factors.find((f) => f.type === 'email')!;
    expect(d.emails.find((m) => m.address === emailFactor.emailAddress)?.usedForCodes).toBe(true);
    expect(d.factors.find((f) => f.type === 'authenticator_app')!.emailAddress).toBeNull();
    for (const f of d.factors) expect(f.registeredAt).toMatch(/Z$/);
    const sealed: Array<{ totp_seed_enc: string }> = await core.db('factors').where({ employee_id: id }).whereNotNull('totp_seed_enc');
    expect(sealed.length).toBeGreaterThan(0);
    for (const s of sealed) expect(JSON.stringify(d)).not.toContain(s.totp_seed_enc);
    expect(JSON.stringify(d)).not.toMatch(/seed|v1\./i);

    const pendingOnly = await core.db('employees')
      .whereNull('mfa_enabled_at')
      .whereIn('id', core.db('factors').where({ state: 'pending' }).select('employee_id'))
      .orderBy('id')
      .first();
    expect((await getEmployee(core.db, Number(pendingOnly.id))).mfaState).toBe('pending');
    const none = await core.db('employees').whereNotIn('id', core.db('factors').select('employee_id')).orderBy('id').first();
    const nd = await getEmployee(core.db, Number(none.id));
    expect([nd.mfaState, nd.factors, nd.mfaEnabledAt]).toEqual(['not_registered', [], null]);

    // Kept for the comparison across databases below.
    mine.detail = d;
    mine.leaver = await getEmployee(core.db, Number((await core.db('employees').where({ status: 'leaver' }).orderBy('id').first()).id));

    for (const missingId of [9_999_999, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      const missing = await getEmployee(core.db, missingId).then(
        () => null,
        (err: unknown) => err,
      );
      expect(missing, String(missingId)).toBeInstanceOf(DeskError);
      expect((missing as DeskError).code).toBe('NOT_FOUND');
    }
  });

  it('answers a fixed set of queries (compared across databases below)', async () => {
    for (const q of ['son', 'ha', 'a', 'smith', "o'b", 'mar ja', 'nhs.net', '%', 'kin', all[10]!.username, all[10]!.employee_number.slice(0, 2)]) {
      const r = await search(q, 30);
      mine[`q:${q}`] = { ids: ids(r), more: r.more, rows: r.rows };
    }
  });
});

describe('sqlite and PostgreSQL', () => {
  it.runIf(TARGETS.length === 2)('give the same answers', () => {
    const sqlite = answers.get('sqlite');
    const postgres = answers.get('postgres');
    expect(sqlite).toBeDefined();
    expect(Object.keys(sqlite!).length).toBeGreaterThan(10);
    expect(postgres).toEqual(sqlite);
  });
});
