import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { DeskError } from '../../shared/errors';
import type { EmployeeSummary, SearchFilters, SearchPage, SortDirection, SortKey } from '../../shared/domain';
import { ManualClock } from '../../electron/core/clock';
import { seedDemoData } from '../../electron/core/demo/seed.service';
import { insertEmployee } from '../../electron/core/employees/employee-writer';
import { toSummary } from '../../electron/core/employees/employees.service';
import { COUNT_CAP, EmployeeSearch, KEY_SHAPED as KEY_SHAPED_QUERY, normaliseQuery } from '../../electron/core/employees/search.service';
import { callAs, type Caller } from '../support/call-as';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';

const EMPLOYEES = 3000;
const SEED = 20_260_105;

type Sort = { by: SortKey; dir: SortDirection };
const RELEVANCE: Sort = { by: 'relevance', dir: 'asc' };
const COLUMN_SORTS = ['name', 'employeeNumber', 'organisation', 'status', 'mfa'] as const;

/** What the oracle knows of an employee: read straight from the tables, nothing from the search. */
interface Known extends EmployeeSummary {
  sortName: string;
  givenSort: string;
  emails: string[];
  /** Every text the substring tier covers, lower-case. */
  doc: string;
}

// ---------------------------------------------------------------------------------------------
// The oracle: the ranking worked out in plain JavaScript over every employee.
// ---------------------------------------------------------------------------------------------

/** Code point order (what sqlite's BINARY and PostgreSQL's "C" collation give), not UTF-16 order. */
function cp(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (non-BMP) sort after U+E000–U+FFFF in code point order.
    x = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    y = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return x - y;
  }
  return a.length - b.length;
}

function passes(e: Known, f: SearchFilters): boolean {
  if (f.status !== undefined && e.status !== f.status) return false;
  if (f.mfa !== undefined && e.mfaState !== f.mfa) return false;
  if ((f.factor === 'authenticator_app' || f.factor === 'both') && !e.hasApp) return false;
  if ((f.factor === 'email' || f.factor === 'both') && !e.hasEmail) return false;
  if (f.organisation !== undefined && e.organisation !== f.organisation) return false;
  if (f.pendingRegistration !== undefined && e.pendingRegistration !== f.pendingRegistration) return false;
  if (f.locked !== undefined && e.locked !== f.locked) return false;
  return true;
}

type Tier = { t: 0 } | { t: 1; key: string } | { t: 2 } | null;

function tierOf(e: Known, q: string): Tier {
  if (e.employeeNumber === q || e.username === q || e.emails.includes(q)) return { t: 0 };
  let key: string | null = null;
  for (const k of [e.sortName, e.givenSort, e.username, e.employeeNumber, ...e.emails]) {
    if (k.startsWith(q) && (key === null || cp(k, key) < 0)) key = k;
  }
  if (key !== null) return { t: 1, key };
  const words = q.split(' ').filter(Boolean);
  if (words.some((w) => w.length >= 3) && words.every((w) => e.doc.includes(w))) return { t: 2 };
  return null;
}

const TUPLES: Record<(typeof COLUMN_SORTS)[number], (e: Known) => string[]> = {
  name: (e) => [e.sortName],
  employeeNumber: (e) => [e.employeeNumber],
  organisation: (e) => [e.organisation, e.sortName],
  status: (e) => [e.status, e.sortName],
  mfa: (e) => [e.mfaState, e.sortName],
};

/** Every match, in the order the look-up must list them. */
function oracle(all: readonly Known[], raw: string, filters: SearchFilters, sort: Sort): number[] {
  const q = normaliseQuery(raw);
  const pool = all.filter((e) => passes(e, filters));
  const s: Sort = sort.by === 'relevance' && q === '' ? { by: 'name', dir: 'asc' } : sort;
  if (s.by !== 'relevance') {
    const tuple = TUPLES[s.by];
    const sign = s.dir === 'asc' ? 1 : -1;
    const matches = q === '' ? pool : pool.filter((e) => tierOf(e, q) !== null);
    return matches
      .map((e) => ({ e, v: tuple(e) }))
      .sort((a, b) => {
        for (let i = 0; i < a.v.length; i++) {
          const c = cp(a.v[i]!, b.v[i]!);
          if (c !== 0) return sign * c;
        }
        return sign * (a.e.id - b.e.id);
      })
      .map((x) => x.e.id);
  }
  const t0: Known[] = [];
  const t1: Array<{ e: Known; key: string }> = [];
  const t2: Known[] = [];
  for (const e of pool) {
    const t = tierOf(e, q);
    if (t?.t === 0) t0.push(e);
    else if (t?.t === 1) t1.push({ e, key: t.key });
    else if (t?.t === 2) t2.push(e);
  }
  t0.sort((a, b) => cp(a.sortName, b.sortName) || a.id - b.id);
  t1.sort((a, b) => cp(a.key, b.key) || a.e.id - b.e.id);
  t2.sort((a, b) => a.id - b.id);
  return [...t0.map((e) => e.id), ...t1.map((x) => x.e.id), ...t2.map((e) => e.id)];
}

/** A short account of how two id sequences differ, or null when they are the same. */
function difference(got: readonly number[], want: readonly number[]): string | null {
  if (got.length === want.length && got.every((id, i) => id === want[i])) return null;
  const seen = new Set<number>();
  const dups = got.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  const wantSet = new Set(want);
  const missing = want.filter((id) => !seen.has(id));
  const extra = [...seen].filter((id) => !wantSet.has(id));
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  return (
    `got ${got.length}, want ${want.length}; first difference at #${i} (got ${got[i]}, want ${want[i]})` +
    (dups.length ? `; duplicates ${dups.slice(0, 5).join(',')}` : '') +
    (missing.length ? `; missing ${missing.length}: ${missing.slice(0, 5).join(',')}` : '') +
    (extra.length ? `; unexpected ${extra.length}: ${extra.slice(0, 5).join(',')}` : '')
  );
}

/** Small pages where that is affordable; never more than ~45 pages for one walk. */
function limitFor(total: number): number {
  return total <= 300 ? 7 : Math.min(100, Math.ceil(total / 40));
}

// ---------------------------------------------------------------------------------------------
// Records made by hand on top of the demo data, for cases the demo data never has.
// ---------------------------------------------------------------------------------------------

interface Crafted {
  first: string;
  last: string;
  username: string;
  number: string;
  emails: string[];
  organisation?: string;
  leaver?: boolean;
}

const CRAFTED_ORG = 'Åland Test Trust'; // non-ASCII: sorts after every ASCII name by code point
const LOWER_ORG = 'community care (test)'; // lower case: after every upper-case name by code point

const CRAFTED: Crafted[] = [
  // Two employees sharing one (differently cased) address: tier 0 holds both, by name.
  { first: 'Bea', last: 'Sharedmail', username: 'bea.shared2', number: '00000001', emails: ['shared.inbox@example.nhs.uk', 'x_y%z@example.org'] },
  { first: 'Ada', last: 'Sharedmail', username: 'ada.shared1', number: '00000002', emails: ['Shared.Inbox@Example.NHS.uk'] },
  // A username that is a prefix of that address.
  { first: 'Cal', last: 'Inbox', username: 'shared.inbox', number: '00000003', emails: [], leaver: true, organisation: CRAFTED_ORG },
  // First name equal to surname: both name keys are the same string, listed once.
  { first: 'Quenby', last: 'Quenby', username: 'qquenby', number: '00000004', emails: ['"quoted*star"@example.org'], organisation: LOWER_ORG },
  // Keys past U+FFFF: code point order puts U+FF41 before U+1D5BA (UTF-16 order does the opposite).
  { first: 'Zed', last: 'Qxa\uff41', username: 'zz.cp1', number: '00000005', emails: [], organisation: CRAFTED_ORG },
  { first: 'Zoe', last: 'Qxa\u{1d5ba}', username: 'zz.cp2', number: '00000006', emails: [] },
  { first: 'Zak', last: 'Qxb', username: 'zz.cp3', number: '00000007', emails: [] },
  // A surname outside the BMP (the 𠮷 of 𠮷田, Yoshida): two code points, three UTF-16 units.
  { first: 'Hanako', last: '\u{20bb7}田', username: 'hyoshida', number: '00000008', emails: ['hanako.yoshida@example.jp'] },
  // A username that is another employee's number: an 8-digit query finds both in tier 0.
  { first: 'Nia', last: 'Numeral', username: '00000001', number: '00000009', emails: [] },
];

async function insertCrafted(db: Knex, now: string): Promise<void> {
  for (const c of CRAFTED) {
    await insertEmployee(db, {
      employeeNumber: c.number,
      firstName: c.first,
      lastName: c.last,
      username: c.username,
      organisation: c.organisation ?? 'Hampshire Hospitals NHS Foundation Trust',
      department: 'Test',
      jobTitle: 'Tester',
      status: c.leaver ? 'leaver' : 'active',
      leavingDate: c.leaver ? '2025-12-01' : null,
      internetAccessApproved: true,
      emails: c.emails.map((address) => ({ kind: 'personal', address })),
      createdAt: now,
    });
  }
}

async function loadKnown(db: Knex): Promise<Known[]> {
  const rows: Array<Record<string, unknown>> = await db('employees')
    .select(
      'id', 'employee_number', 'first_name', 'last_name', 'username', 'organisation', 'department', 'status', 'mfa_state',
      'has_app', 'has_email', 'pending_registration', 'locked', 'sort_name', 'given_sort',
    )
    .orderBy('id');
  const emails: Array<{ employee_id: number; address_lc: string }> = await db('employee_emails').select('employee_id', 'address_lc').orderBy('id');
  const byEmployee = new Map<number, string[]>();
  for (const m of emails) byEmployee.set(Number(m.employee_id), [...(byEmployee.get(Number(m.employee_id)) ?? []), String(m.address_lc)]);
  return rows.map((r) => {
    const id = Number(r.id);
    const mails = byEmployee.get(id) ?? [];
    const k: Known = {
      ...toSummary(r),
      sortName: String(r.sort_name),
      givenSort: String(r.given_sort),
      emails: mails,
      doc: '',
    };
    // Built here from the record, not read from search_doc (which is checked against it below).
    k.doc = [k.firstName, k.lastName, k.employeeNumber, k.username, ...mails].join(' ').toLowerCase();
    return k;
  });
}

function mixedCase(s: string): string {
  return [...s].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join('');
}

/** Answers per target, compared at the end when both databases ran. */
const answers = new Map<string, Map<string, number[]>>();

describe.each(TARGETS)('employee look-up on $name', (target: Target) => {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  let core: TestCore;
  let search: EmployeeSearch;
  let all: Known[];
  let byId: Map<number, Known>;
  const mine = new Map<string, number[]>();

  /** Walk every page with `limit` and report how that went against the oracle. */
  async function walk(query: string, filters: SearchFilters, sort: Sort, limit?: number): Promise<{ ids: number[]; problems: string[] }> {
    const want = oracle(all, query, filters, sort);
    const size = limit ?? limitFor(want.length);
    const label = `${JSON.stringify(query)} ${JSON.stringify(filters)} ${sort.by}/${sort.dir} limit ${size}`;
    const ids: number[] = [];
    const problems: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let exactFirstRows: number | null = null;
    for (;;) {
      let page: SearchPage;
      try {
        page = await search.page({ query, filters, sort, limit: size, cursor });
      } catch (err) {
        problems.push(`${label}: page ${pages + 1} threw ${(err as Error).name}: ${(err as Error).message}`);
        break;
      }
      pages++;
      if (page.rows.length > size) problems.push(`${label}: page ${pages} has ${page.rows.length} rows`);
      // A short page is the last one, except a first page answered from exact keys alone (an
      // employee number or an email address that matched): its cursor continues with the rest.
      const exactFirst = pages === 1 && sort.by === 'relevance' && KEY_SHAPED_QUERY.test(normaliseQuery(query));
      if (page.nextCursor !== null && page.rows.length !== size && !exactFirst) {
        problems.push(`${label}: page ${pages} has ${page.rows.length} rows but a next cursor`);
      }
      if (exactFirst && page.nextCursor !== null) exactFirstRows = page.rows.length;
      for (const r of page.rows) {
        ids.push(r.id);
        const k = byId.get(r.id);
        const summary: EmployeeSummary | null = k === undefined ? null : {
          id: k.id,
          employeeNumber: k.employeeNumber,
          firstName: k.firstName,
          lastName: k.lastName,
          username: k.username,
          organisation: k.organisation,
          department: k.department,
          status: k.status,
          mfaState: k.mfaState,
          hasApp: k.hasApp,
          hasEmail: k.hasEmail,
          pendingRegistration: k.pendingRegistration,
          locked: k.locked,
        };
        if (JSON.stringify(r) !== JSON.stringify(summary)) problems.push(`${label}: row ${r.id} is ${JSON.stringify(r)}, want ${JSON.stringify(summary)}`);
      }
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
      if (pages > want.length / size + 5) {
        problems.push(`${label}: still a next cursor after ${pages} pages`);
        break;
      }
    }
    const diff = difference(ids, want);
    if (diff) problems.push(`${label}: ${diff}`);
    const expectedPages =
      exactFirstRows === null
        ? Math.max(1, Math.ceil(want.length / size))
        : 1 + Math.max(1, Math.ceil((want.length - exactFirstRows) / size));
    if (!diff && pages !== expectedPages) problems.push(`${label}: ${pages} pages for ${want.length} rows (want ${expectedPages})`);
    mine.set(label, ids);
    return { ids, problems };
  }

  async function countProblems(query: string, filters: SearchFilters): Promise<string[]> {
    const total = oracle(all, query, filters, RELEVANCE).length;
    const got = await search.count(query, filters);
    const want = { count: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP };
    return JSON.stringify(got) === JSON.stringify(want) ? [] : [`count ${JSON.stringify(query)} ${JSON.stringify(filters)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`];
  }

  // Queries chosen from the data once it is loaded.
  let e: Known;
  let withTwo: Known;
  let surname: string;
  let person: Known;
  let relevanceQueries: string[];

  beforeAll(async () => {
    core = await openTestCore(target, { clock });
    await seedDemoData({ db: core.db, clock, vault: core.vault }, { userId: null, name: 'test' }, { employees: EMPLOYEES, seed: SEED, deskUsers: false });
    await insertCrafted(core.db, clock.now().toISOString());
    search = new EmployeeSearch(core.db);
    all = await loadKnown(core.db);
    byId = new Map(all.map((k) => [k.id, k]));
    answers.set(target.name, mine);

    const seeded = all.filter((k) => !/^0000/.test(k.employeeNumber));
    e = seeded[777]!;
    withTwo = seeded.find((k) => k.emails.length >= 2)!;
    surname = seeded.map((k) => k.lastName).find((n) => n.length >= 7 && /^[A-Za-z]+$/.test(n))!;
    person = seeded[1234]!;
    const f = person.firstName;
    const l = person.lastName;
    relevanceQueries = [
      // nothing typed
      '', '   ',
      // exact keys, any case, surrounded by space
      e.employeeNumber, e.username, e.username.toUpperCase(), `  ${e.employeeNumber} `,
      ...withTwo.emails.map((m) => m.toUpperCase()), mixedCase(withTwo.emails[0]!), withTwo.emails[0]!.replace('@', 'x@'),
      'shared.inbox@example.nhs.uk', 'SHARED.INBOX@EXAMPLE.NHS.UK', 'shared.inbox', 'shared', 'sh', '00000001', '00000009',
      // 1–2 characters: prefixes only
      'h', 'a', '1', '7', 'ha', 'Mo', "o'", e.employeeNumber.slice(0, 2), e.username.slice(0, 2), 'qu', 'zz', '00',
      // surname prefixes (which are also substrings elsewhere)
      surname.slice(0, 3), surname.slice(0, 4), surname.slice(0, 5).toUpperCase(), surname.toLowerCase(), "o'b", "O'Br", 'quenby', 'zz.cp',
      // several words, either order
      `${f} ${l}`, `${l} ${f}`, `${l}\u00a0${f}`, `${f} ${l.slice(0, 2)}`, `${l} ${f.slice(0, 1)}`, `${l}   ${f}`, `${f.slice(0, 3)} ${l.slice(0, 3)}`, 'quenby quenby',
      'sharedmail ada', 'ada sharedmail', 'nhs ab', 'mar ja', 'an e',
      // substrings of 3+ characters
      'son', 'nhs', 'ill', surname.slice(1, 5), surname.slice(2, 5).toUpperCase(), 'gmail.com', e.username.slice(0, 5), e.employeeNumber.slice(2, 7), '0000',
      // LIKE wildcards are plain characters
      '%', '_', '%%', '___', 'a%', '%son', 's_n', 'son%', '_y%', 'x_', 'x_y%z', 'j_', '\\', 'o\\b',
      // full-text syntax is plain text
      '"', '"""', '"smith', `${surname}"`, `${surname}*`, '*', '(', `(${surname})`, 'AND', `${surname} AND jones`, `${surname} NEAR jones`,
      'NEAR(', '"quoted*', 'quoted*star', '"quoted*star"@example.org', `-${surname}`, ':', "' OR 1=1 --",
      // control characters are spaces
      `${surname}\u0000`, `\u0000${surname}`, '\u0000', `${f}\u0007${l}`, `\t${l}\n`, '\u007f',
      // nothing matches
      'qqqzzz', 'zzzz zzzz',
    ];
  });
  afterAll(async () => {
    await core?.dispose();
  });

  it('has the seeded and crafted employees; search text and flags agree with the record and its factors', async () => {
    expect(all).toHaveLength(EMPLOYEES + CRAFTED.length);
    expect(e && withTwo && surname && person).toBeTruthy();
    const docs: Array<{ id: number; search_doc: string; mfa_enabled_at: unknown }> = await core.db('employees').select('id', 'search_doc', 'mfa_enabled_at');
    const factors: Array<{ employee_id: number; type: string; state: string; failed_attempts: number }> = await core.db('factors').select(
      'employee_id', 'type', 'state', 'failed_attempts',
    );
    const wrong: string[] = [];
    for (const d of docs) {
      const k = byId.get(Number(d.id))!;
      if (d.search_doc !== k.doc) wrong.push(`${k.id}: search_doc ${JSON.stringify(d.search_doc)}, want ${JSON.stringify(k.doc)}`);
      const mine = factors.filter((x) => Number(x.employee_id) === k.id);
      const truth = {
        hasApp: mine.some((x) => x.type === 'authenticator_app' && x.state === 'active'),
        hasEmail: mine.some((x) => x.type === 'email' && x.state === 'active'),
        pendingRegistration: mine.some((x) => x.state === 'pending'),
        locked: mine.some((x) => x.state !== 'removed' && Number(x.failed_attempts) >= 5),
        mfaState: d.mfa_enabled_at != null ? 'enabled' : mine.some((x) => x.state === 'pending') ? 'pending' : 'not_registered',
      };
      const flags = { hasApp: k.hasApp, hasEmail: k.hasEmail, pendingRegistration: k.pendingRegistration, locked: k.locked, mfaState: k.mfaState };
      if (JSON.stringify(flags) !== JSON.stringify(truth)) wrong.push(`${k.id}: flags ${JSON.stringify(flags)}, factors say ${JSON.stringify(truth)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Every filter value has rows to find in the demo data.
    for (const f of [{ status: 'leaver' }, { mfa: 'pending' }, { mfa: 'enabled' }, { factor: 'both' }, { pendingRegistration: true }, { locked: true }] as SearchFilters[]) {
      expect(all.filter((k) => passes(k, f)).length, JSON.stringify(f)).toBeGreaterThan(0);
    }
  });

  it('relevance: every page of every query, followed by its cursor, adds up to the ranked list; count agrees', async () => {
    const problems: string[] = [];
    for (const q of relevanceQueries) {
      problems.push(...(await walk(q, {}, RELEVANCE)).problems);
      problems.push(...(await countProblems(q, {})));
    }
    // The oracle itself ranks as described: spot checks of the tiers.
    expect(oracle(all, e.employeeNumber, {}, RELEVANCE)[0]).toBe(e.id);
    expect(oracle(all, withTwo.emails[1]!.toUpperCase(), {}, RELEVANCE)[0]).toBe(withTwo.id);
    expect(problems).toEqual([]);
  });

  it('relevance: tiers at page boundaries (limits 1, 2 and 3), where each tier ends and the next begins', async () => {
    const problems: string[] = [];
    for (const q of ['shared.inbox', 'SHARED.INBOX@EXAMPLE.NHS.UK', '00000001', 'sharedmail', 'quenby', 'zz.cp', `${person.lastName} ${person.firstName.slice(0, 1)}`, surname.slice(0, 4), e.employeeNumber, '0000']) {
      for (const limit of [1, 2, 3]) problems.push(...(await walk(q, {}, RELEVANCE, limit)).problems);
    }
    expect(problems).toEqual([]);
    // The shape the crafted records were made for.
    const ids = (q: string) => oracle(all, q, {}, RELEVANCE).map((id) => byId.get(id)!.username);
    expect(ids('shared.inbox@example.nhs.uk')).toEqual(['ada.shared1', 'bea.shared2']);
    // Tier 0 the username, then both addresses (one key, so by id: Bea was inserted first).
    expect(ids('shared.inbox')).toEqual(['shared.inbox', 'bea.shared2', 'ada.shared1']);
    expect(ids('quenby')).toEqual(['qquenby']);
    // Bea by her number, Nia by her username; both exact, by name.
    expect(ids('00000001')).toEqual(['00000001', 'bea.shared2']);
  });

  it('every column sort, ascending and descending, orders all matches by the column tuple then id', async () => {
    const problems: string[] = [];
    for (const by of COLUMN_SORTS) {
      for (const dir of ['asc', 'desc'] as const) {
        for (const q of ['', 'son', 'ha', surname.slice(0, 4), `${person.firstName} ${person.lastName}`, e.employeeNumber, 'qx', 'zz', 'shared.inbox', '%', '\u0000']) {
          problems.push(...(await walk(q, {}, { by, dir })).problems);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('filters, alone and combined, with and without a query, in relevance and column order; count agrees', async () => {
    const orgs = [...new Set(all.map((k) => k.organisation))].sort(cp);
    const filters: SearchFilters[] = [
      { status: 'active' }, { status: 'leaver' },
      { mfa: 'not_registered' }, { mfa: 'pending' }, { mfa: 'enabled' },
      { factor: 'authenticator_app' }, { factor: 'email' }, { factor: 'both' },
      { organisation: orgs[0]! }, { organisation: CRAFTED_ORG }, { organisation: 'No Such Trust' },
      { pendingRegistration: true }, { pendingRegistration: false },
      { locked: true }, { locked: false },
      { status: 'active', mfa: 'enabled', factor: 'both' },
      { organisation: orgs[1]!, locked: false, pendingRegistration: false },
      { status: 'leaver', mfa: 'pending' },
      { status: 'active', factor: 'email', organisation: orgs[2]! },
    ];
    const problems: string[] = [];
    let i = 0;
    for (const f of filters) {
      for (const q of ['', 'son', 'ha', surname.slice(0, 4), 'shared.inbox']) {
        problems.push(...(await walk(q, f, RELEVANCE)).problems);
        const by = COLUMN_SORTS[i % COLUMN_SORTS.length]!;
        problems.push(...(await walk(q, f, { by, dir: i % 2 ? 'desc' : 'asc' })).problems);
        problems.push(...(await countProblems(q, f)));
        i++;
      }
    }
    expect(problems).toEqual([]);
  });

  it('count is capped at 10,000 and says so only beyond it', async () => {
    expect(COUNT_CAP).toBe(10_000);
    const everyone = await search.count('', {});
    expect(everyone).toEqual({ count: all.length, capped: false });
    expect(await search.count('qqqzzz', {})).toEqual({ count: 0, capped: false });
  });

  it('counts on the reader connection: a count answers while a transaction holds the main one', async () => {
    const counting = new EmployeeSearch(core.db, core.database.reader);
    const want = await search.count('son', {});
    const trx = await core.db.transaction();
    try {
      // On sqlite this transaction has the only main connection (and the write lock).
      await trx('settings').insert({ key: 'test.reader', value: '"x"', updated_at: new Date().toISOString() });
      const answer = await Promise.race([
        counting.count('son', {}),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5000)),
      ]);
      expect(answer).toEqual(want);
    } finally {
      await trx.rollback();
    }
    if (target.name === 'sqlite') {
      await expect(core.database.reader.raw("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 'x')")).rejects.toThrow(/readonly|read-only/i);
    }
  });

  it('keys past U+FFFF rank in code point order, like the databases order them (relevance tier 1 too)', async () => {
    // sort_name "qxaａ zed" (U+FF41) comes before "qxa𝖺 zoe" (U+1D5BA) by code point; the
    // databases agree (the name sort is checked against the same oracle above).
    const want = ['zz.cp1', 'zz.cp2', 'zz.cp3'];
    expect(oracle(all, 'qx', {}, RELEVANCE).map((id) => byId.get(id)!.username)).toEqual(want);
    expect(oracle(all, 'qx', {}, { by: 'name', dir: 'asc' }).map((id) => byId.get(id)!.username)).toEqual(want);
    const byName = (await search.page({ query: 'qx', filters: {}, sort: { by: 'name', dir: 'asc' }, limit: 10 })).rows.map((r) => r.username);
    const ranked = (await search.page({ query: 'qx', filters: {}, sort: RELEVANCE, limit: 10 })).rows.map((r) => r.username);
    // Walking page by page must still list each of them exactly once.
    const problems: string[] = [];
    for (const q of ['qx', 'qxa']) for (const limit of [1, 2, 3, 7]) problems.push(...(await walk(q, {}, RELEVANCE, limit)).problems);
    expect({ byName, ranked, problems }).toEqual({ byName: want, ranked: want, problems: [] });
  });

  it('a word of three UTF-16 units but two characters (𠮷田) is found the same way on every path', async () => {
    // The employee's surname starts with it, so relevance lists them (tier 1); a column sort and
    // the count must find the same employee.
    const q = '\u{20bb7}田';
    const id = all.find((k) => k.username === 'hyoshida')!.id;
    const ranked = (await search.page({ query: q, filters: {}, sort: RELEVANCE, limit: 10 })).rows.map((r) => r.id);
    const byName = (await search.page({ query: q, filters: {}, sort: { by: 'name', dir: 'asc' }, limit: 10 })).rows.map((r) => r.id);
    const count = await search.count(q, {});
    // And with a second word: column sorts and the count go through the substring path.
    const sub = (await search.page({ query: `hanako ${q}`, filters: {}, sort: { by: 'employeeNumber', dir: 'asc' }, limit: 10 })).rows.map((r) => r.id);
    expect({ ranked, byName, count, sub }).toEqual({ ranked: [id], byName: [id], count: { count: 1, capped: false }, sub: [id] });
  });

  describe('cursors', () => {
    const enc = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o), 'utf8').toString('base64url');
    const refused = async (input: Parameters<EmployeeSearch['page']>[0]): Promise<string> => {
      try {
        await search.page(input);
        return 'answered';
      } catch (err) {
        // A driver error quotes the whole statement: keep its last words.
        return err instanceof DeskError ? err.code : `${(err as Error).name}: …${(err as Error).message.slice(-70)}`;
      }
    };

    it('a tampered or foreign cursor is refused as VALIDATION', async () => {
      const q = surname.slice(0, 4);
      const rel = await search.page({ query: q, filters: {}, sort: RELEVANCE, limit: 3 });
      const byName = await search.page({ query: q, filters: {}, sort: { by: 'name', dir: 'asc' }, limit: 3 });
      const byOrg = await search.page({ query: q, filters: {}, sort: { by: 'organisation', dir: 'asc' }, limit: 3 });
      expect([rel.nextCursor, byName.nextCursor, byOrg.nextCursor].every((c) => typeof c === 'string')).toBe(true);
      const cases: Array<[string, Sort, string, string?]> = [
        ['garbage', RELEVANCE, '!!!not base64 at all!!!'],
        ['not JSON', RELEVANCE, enc('{"m":"r",')],
        ['JSON null', RELEVANCE, enc('null')],
        ['JSON array', RELEVANCE, enc('[1,2]')],
        ['JSON number', RELEVANCE, enc('42')],
        ['unknown mode', RELEVANCE, enc({ m: 'x', i: 1 })],
        ['tier 3', RELEVANCE, enc({ m: 'r', t: 3, k: 'a', i: 1 })],
        ['tier as text', RELEVANCE, enc({ m: 'r', t: '1', k: 'a', i: 1 })],
        ['key not text', RELEVANCE, enc({ m: 'r', t: 1, k: 5, i: 1 })],
        ['id not an integer', RELEVANCE, enc({ m: 'r', t: 1, k: 'a', i: 1.5 })],
        ['id missing', RELEVANCE, enc({ m: 'r', t: 1, k: 'a' })],
        ['id as text', RELEVANCE, enc({ m: 'r', t: 1, k: 'a', i: '1' })],
        ['relevance cursor with a column sort', { by: 'name', dir: 'asc' }, rel.nextCursor!],
        ['column cursor with relevance', RELEVANCE, byName.nextCursor!],
        ['tuple too short', { by: 'organisation', dir: 'asc' }, byName.nextCursor!],
        ['tuple too long', { by: 'name', dir: 'desc' }, byOrg.nextCursor!],
        ['tuple of numbers', { by: 'employeeNumber', dir: 'asc' }, enc({ m: 's', v: [12345678], i: 1 })],
        ['tuple missing', { by: 'name', dir: 'asc' }, enc({ m: 's', i: 1 })],
        ['empty tuple', { by: 'name', dir: 'asc' }, enc({ m: 's', v: [], i: 1 })],
        ['relevance cursor once the query is empty (the list is then by name)', RELEVANCE, rel.nextCursor!, ''],
      ];
      const got = [];
      for (const [what, sort, cursor, query] of cases) got.push([what, await refused({ query: query ?? q, filters: {}, sort, limit: 3, cursor })]);
      expect(got).toEqual(cases.map(([what]) => [what, 'VALIDATION']));
      // The genuine cursors work.
      for (const [sort, cursor] of [[RELEVANCE, rel.nextCursor], [{ by: 'name', dir: 'asc' }, byName.nextCursor], [{ by: 'organisation', dir: 'asc' }, byOrg.nextCursor]] as const) {
        expect(await refused({ query: q, filters: {}, sort, limit: 3, cursor })).toBe('answered');
      }
    });

    it('a well-formed cursor with out-of-range values is answered or refused as VALIDATION, never a driver error', async () => {
      const q = surname.slice(0, 4);
      const cases: Array<[string, Sort, string]> = [
        ['tier 2, id past 32 bits', RELEVANCE, enc({ m: 'r', t: 2, k: '', i: 2 ** 31 })],
        ['tier 1, id past 32 bits', RELEVANCE, enc({ m: 'r', t: 1, k: q, i: 2 ** 31 })],
        ['tier 1, id 1e300', RELEVANCE, enc({ m: 'r', t: 1, k: q, i: 1e300 })],
        ['tier 1, key with NUL', RELEVANCE, enc({ m: 'r', t: 1, k: `${q}\u0000`, i: 1 })],
        ['tier 0, key with NUL', RELEVANCE, enc({ m: 'r', t: 0, k: '\u0000', i: 1 })],
        ['negative id', RELEVANCE, enc({ m: 'r', t: 2, k: '', i: -5 })],
        ['column sort, id past 32 bits', { by: 'name', dir: 'asc' }, enc({ m: 's', v: ['a'], i: 2 ** 31 })],
        ['column sort, value with NUL', { by: 'name', dir: 'desc' }, enc({ m: 's', v: ['m\u0000'], i: 1 })],
        ['column sort, long value', { by: 'organisation', dir: 'asc' }, enc({ m: 's', v: ['x'.repeat(300), 'y'.repeat(300)], i: 1 })],
      ];
      const got = [];
      for (const [what, sort, cursor] of cases) {
        const r = await refused({ query: q, filters: {}, sort, limit: 3, cursor });
        got.push([what, r === 'answered' || r === 'VALIDATION' ? 'ok' : r]);
      }
      expect(got).toEqual(cases.map(([what]) => [what, 'ok']));
    });
  });

  describe('through the router', () => {
    let agent: Caller;

    beforeAll(() => {
      const session = core.sessions.create({ userId: 1, username: 'agent', displayName: 'Agent', role: 'agent', idleMinutes: 15 });
      agent = callAs(core, { get: () => session.token, set: () => {} });
    });

    it('answers as the service does, with the contract defaults (relevance, 50 rows)', async () => {
      const page = await agent.ok('employees.search', { query: surname.slice(0, 3) });
      expect(page.rows.map((r) => r.id)).toEqual(oracle(all, surname.slice(0, 3), {}, RELEVANCE).slice(0, 50));
      const empty = await agent.ok('employees.search', {});
      expect(empty.rows.map((r) => r.id)).toEqual(oracle(all, '', {}, { by: 'name', dir: 'asc' }).slice(0, 50));
      const counted = await agent.call('employees.count', { query: 'son', filters: { status: 'active' } });
      expect(counted).toEqual({ ok: true, value: { count: oracle(all, 'son', { status: 'active' }, RELEVANCE).length, capped: false } });
      const signedOut = callAs(core, { get: () => undefined, set: () => {} });
      expect(await signedOut.call('employees.search', { query: 'x' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    });

    it('refuses bad sorts, filters, limits and cursors as VALIDATION', async () => {
      const bad: Array<[string, unknown]> = [
        ['employees.search', { sort: { by: 'surname', dir: 'asc' } }],
        ['employees.search', { sort: { by: 'relevance', dir: 'desc' } }],
        ['employees.search', { sort: { by: 'name', dir: 'up' } }],
        ['employees.search', { sort: { by: 'name', dir: 'asc', then: 'id' } }],
        ['employees.search', { sort: 'name' }],
        ['employees.search', { filters: { status: 'retired' } }],
        ['employees.search', { filters: { mfa: 'on' } }],
        ['employees.search', { filters: { factor: 'sms' } }],
        ['employees.search', { filters: { organisation: '' } }],
        ['employees.search', { filters: { organisation: '   ' } }],
        ['employees.search', { filters: { organisation: 'x'.repeat(201) } }],
        ['employees.search', { filters: { locked: 'true' } }],
        ['employees.search', { filters: { pendingRegistration: 1 } }],
        ['employees.search', { filters: { colour: 'red' } }],
        ['employees.search', { limit: 0 }],
        ['employees.search', { limit: 101 }],
        ['employees.search', { limit: 7.5 }],
        ['employees.search', { query: 'x'.repeat(201) }],
        ['employees.search', { query: 5 }],
        ['employees.search', { cursor: 'x'.repeat(2001) }],
        ['employees.search', { query: 'son', cursor: 'garbage!!' }],
        ['employees.search', { query: 'son', sort: { by: 'name', dir: 'asc' }, cursor: Buffer.from('{"m":"r","t":1,"k":"a","i":1}').toString('base64url') }],
        ['employees.search', { extra: true }],
        ['employees.count', { filters: { status: 'retired' } }],
        ['employees.count', { filters: { unknown: 1 } }],
        ['employees.count', { query: 'x'.repeat(201) }],
        ['employees.organisations', { all: true }],
      ];
      const got = [];
      for (const [channel, payload] of bad) {
        const res = await agent.raw(channel, payload);
        got.push([channel, JSON.stringify(payload).slice(0, 80), res.ok ? 'ok' : res.error.code]);
      }
      expect(got).toEqual(bad.map(([channel, payload]) => [channel, JSON.stringify(payload).slice(0, 80), 'VALIDATION']));
    });

    it('an organisation filter with a NUL character is answered (nothing matches) or refused, never INTERNAL', async () => {
      const got = [];
      for (const [channel, payload] of [
        ['employees.search', { filters: { organisation: 'Hampshire\u0000' } }],
        ['employees.count', { filters: { organisation: 'Hampshire\u0000' } }],
      ] as const) {
        const res = await agent.call(channel, payload);
        got.push(res.ok ? 'ok' : res.error.code);
      }
      expect(got.map((c) => (c === 'ok' || c === 'VALIDATION' ? 'fine' : c))).toEqual(['fine', 'fine']);
    });

    it('employees.organisations lists every organisation once, in code point order', async () => {
      const res = await agent.call('employees.organisations', {});
      const want = [...new Set(all.map((k) => k.organisation))].sort(cp);
      expect(want).toContain(CRAFTED_ORG);
      expect(want[want.length - 1]).toBe(CRAFTED_ORG);
      expect(res).toEqual({ ok: true, value: want });
      mine.set('organisations', want.map((o) => all.findIndex((k) => k.organisation === o)));
    });
  });
});

describe('sqlite and PostgreSQL', () => {
  it.runIf(TARGETS.length === 2)('give the same id sequences for the same queries', () => {
    const sqlite = answers.get('sqlite');
    const postgres = answers.get('postgres');
    expect(sqlite && postgres).toBeTruthy();
    expect(sqlite!.size).toBeGreaterThan(100);
    const differ: string[] = [];
    for (const [label, ids] of sqlite!) {
      const other = postgres!.get(label);
      if (!other) differ.push(`${label}: not run on postgres`);
      else {
        const d = difference(other, ids);
        if (d) differ.push(`${label}: postgres ${d}`);
      }
    }
    for (const label of postgres!.keys()) if (!sqlite!.has(label)) differ.push(`${label}: not run on sqlite`);
    expect(differ).toEqual([]);
  });
});
