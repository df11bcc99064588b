import type { Knex } from 'knex';
import type { SearchCount, SearchFilters, SearchPage, SortDirection, SortKey } from '../../../shared/domain';
import { databaseKind, pgPrepared, pgPreparedBuilder, type DatabaseKind } from '../db/connection';
import { toSummary } from './employees.service';
import { decodeCursor, encodeCursor, SORT_COLUMNS, type Cursor } from './search-cursor';
import { addresses, applyFilters, COLUMNS, exactStatement, firstPrefixKey, hasFilters, isExact, prefixUnionSql, type PrefixKey, type Row, type WithEmails } from './search-query';
import { compareKeyId, ftsPhrase, KEY_SHAPED, likeEscape, parse, prefixEnd, PREFIX_SOURCES, sourcesFor, type Parsed, type PrefixSource } from './search-text';

export { KEY_SHAPED, normaliseQuery } from './search-text';

/**
 * The look-up at NHS scale (millions of employees, 2 cores). Every page is a keyset page: it
 * starts where the cursor says, through an index that already gives rows in the wanted order, so
 * the last page costs what the first does and nothing ever sorts the whole table.
 *
 * Relevance (the default) ranks in three tiers:
 *   0. exact keys: employee number, username, an email on record (b-tree look-ups), by name;
 *   1. prefix matches of a surname ("smith j…"), a first name ("jane s…"), a username, an employee
 *      number or an email: five index ranges merged in key order, each employee once, at its
 *      first matching key. The ranges give keys and ids only (index-only scans, asked for beside
 *      tier 0); the rows are then read in one statement for just the employees the page shows.
 *      On PostgreSQL a first page's ranges are one statement that brings each key's row along,
 *      so the page is one round trip (beside tier 0's) rather than one per range and one more;
 *   2. substring matches (every word of 3+ characters through the trigram index; shorter words
 *      filtered alongside), in id order, which is the index's own order.
 * Sorting by a column instead orders every match by that column (then name, then id).
 */

export interface SearchInput {
  query: string;
  filters: SearchFilters;
  sort: { by: SortKey; dir: SortDirection };
  limit: number;
  cursor?: string | null | undefined;
}

export const COUNT_CAP = 10_000;

export class EmployeeSearch {
  private readonly kind: DatabaseKind;

  /**
   * `counter` runs the counts: on sqlite a second connection, so that a count (up to COUNT_CAP
   * rows) runs beside the next keystroke's page instead of in front of it.
   */
  constructor(
    private readonly db: Knex,
    private readonly counter: Knex = db,
  ) {
    this.kind = databaseKind(db);
  }

  private base(): Knex.QueryBuilder {
    return this.db('employees').select(COLUMNS.map((c) => `employees.${c}`));
  }

  /**
   * Each row's addresses on record (to rank it), in the same statement: a correlated look-up on the
   * (employee_id, address_lc) index, which the database runs only for the rows the limit keeps.
   */
  private emailsOnRecord(): Knex.Raw {
    const agg = this.kind === 'postgres' ? "string_agg(address_lc, ' ')" : "group_concat(address_lc, ' ')";
    return this.db.raw(`(SELECT ${agg} FROM employee_emails e2 WHERE e2.employee_id = employees.id) AS emails_on_record`);
  }

  /** Rows whose search text holds every word (substring), in id order after `afterId`. */
  private substringPage(p: Parsed, filters: SearchFilters, afterId: number, n: number, withEmails: boolean): Knex.QueryBuilder {
    let qb: Knex.QueryBuilder;
    if (this.kind === 'sqlite') {
      qb = this.db('employee_fts')
        .join('employees', 'employees.id', 'employee_fts.rowid')
        .select(COLUMNS.map((c) => `employees.${c}`))
        .whereRaw('employee_fts MATCH ?', [p.long.map(ftsPhrase).join(' AND ')])
        .andWhere('employee_fts.rowid', '>', afterId)
        .orderBy('employee_fts.rowid');
    } else {
      qb = this.base().where('employees.id', '>', afterId).orderBy('employees.id');
      for (const w of p.long) qb.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
    }
    for (const w of p.short) qb.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
    if (withEmails) qb.select(this.emailsOnRecord());
    return applyFilters(qb, filters).limit(n);
  }

  /**
   * One prefix source's keys: (key, id) of the rows whose key starts with q, in (key, id) order after
   * the cursor. Without filters the source's own index answers alone (an index-only scan); the
   * rows themselves are read afterwards, only for the employees the page keeps (rowsOf).
   */
  private prefixKeys(source: PrefixSource, q: string, filters: SearchFilters, after: [string, number] | null, n: number): Promise<PrefixKey[]> {
    const col = source === 'email' ? 'employee_emails.address_lc' : `employees.${source}`;
    const idCol = source === 'email' ? 'employee_emails.employee_id' : 'employees.id';
    const filtered = hasFilters(filters);
    const qb = this.db(source === 'email' ? 'employee_emails' : 'employees').select(`${col} as match_key`, `${idCol} as id`);
    if (source === 'email' && filtered) qb.join('employees', 'employees.id', 'employee_emails.employee_id');
    qb.where(col, '>=', q).andWhere(col, '<', prefixEnd(q));
    if (after) qb.whereRaw(`(${col}, ${idCol}) > (?, ?)`, [after[0], after[1]]);
    applyFilters(qb, filters).orderBy([col, idCol]).limit(n);
    // A first page without filters (what every keystroke asks for) is one of five fixed statements:
    // on PostgreSQL prepared once per connection, so it is not planned again each time.
    if (this.kind === 'postgres' && !after && !filtered) return pgPreparedBuilder<PrefixKey>(this.db, qb);
    return qb as Promise<PrefixKey[]>;
  }

  /**
   * Every source's keys (see prefixKeys), one list per source in `sources`' order, and the rows
   * read along the way. A first batch without filters on PostgreSQL (what every keystroke asks
   * for) is a single statement, prepared once per connection for each set of sources: the ranges
   * joined by UNION ALL, each still an index-only scan, and each key's row joined on. A range costs
   * the server tens of microseconds and a round trip through the pool and the driver several
   * times that, so one round trip on one backend beats one per source plus one for the rows
   * (about 2.0 ms against 1.2 ms a page on two cores, measured interleaved).
   */
  private async prefixKeyBatches(
    sources: readonly PrefixSource[],
    q: string,
    filters: SearchFilters,
    after: [string, number] | null,
    n: number,
  ): Promise<{ keys: PrefixKey[][]; rows: Map<number, Row> }> {
    if (this.kind !== 'postgres' || after || hasFilters(filters)) {
      return { keys: await Promise.all(sources.map((s) => this.prefixKeys(s, q, filters, after, n))), rows: new Map() };
    }
    const found = await pgPrepared<Row & { src: number; match_key: string }>(
      this.db,
      `desk_prefix_rows_${sources.join('_')}_v1`,
      prefixUnionSql(sources),
      [q, prefixEnd(q), n],
    );
    const keys: PrefixKey[][] = sources.map(() => []);
    const rows = new Map<number, Row>();
    for (const { src, match_key, ...row } of found) {
      keys[src]!.push({ match_key, id: Number(row.id) });
      rows.set(Number(row.id), row);
    }
    // Each list in (key, id) order, as the frontier below reads it (UNION ALL promises no order).
    for (const list of keys) list.sort((a, b) => compareKeyId([a.match_key, a.id], [b.match_key, b.id]));
    return { keys, rows };
  }

  /** These employees' rows (with their addresses when asked), in the order of `ids`: one statement. */
  private async rowsOf(ids: readonly number[], withEmails: boolean): Promise<WithEmails[]> {
    if (ids.length === 0) return [];
    const qb = this.base();
    if (withEmails) qb.select(this.emailsOnRecord());
    const rows: WithEmails[] =
      this.kind === 'postgres'
        ? // One fixed statement whatever the number of ids: an array parameter.
          await pgPreparedBuilder<WithEmails>(this.db, qb.whereRaw('employees.id = ANY(?::integer[])', [[...ids]]))
        : ((await qb.whereIn('employees.id', ids)) as WithEmails[]);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Employees matching exactly (tier 0), by name: three b-tree look-ups joined by UNION. */
  private async exactRows(q: string, filters: SearchFilters): Promise<Row[]> {
    if (this.kind === 'postgres' && !hasFilters(filters)) {
      // The agent's most common look-up (a number or an address read out by the caller), with no
      // filter: a statement prepared once per connection, so PostgreSQL plans it once, not every
      // time (planning the UNION costs more than running it).
      const [sql, name] = exactStatement(q);
      return pgPrepared<Row>(this.db, name, sql, [q]);
    }
    const ids = this.db
      .select('id')
      .from('employees')
      .where('employee_number', q)
      .union((u) => void u.select('id').from('employees').where('username', q))
      .union((u) => void u.select('employee_id').from('employee_emails').where('address_lc', q));
    const qb = this.base().whereIn('employees.id', ids).orderBy(['employees.sort_name', 'employees.id']);
    return (await applyFilters(qb, filters)) as Row[];
  }

  async page(input: SearchInput): Promise<SearchPage> {
    const p = parse(input.query);
    // With nothing typed there is nothing to rank: the list is every employee by name.
    const sort = input.sort.by === 'relevance' && p.q === '' ? ({ by: 'name', dir: 'asc' } as const) : input.sort;
    const cursor = decodeCursor(input.cursor, sort);
    if (sort.by === 'relevance') return this.relevancePage(p, input, cursor as Extract<Cursor, { m: 'r' }> | null);
    return this.sortedPage(p, input, sort as { by: Exclude<SortKey, 'relevance'>; dir: SortDirection }, cursor as Extract<Cursor, { m: 's' }> | null);
  }

  /** Every match, ordered by a column (then name, then id), keyset on that tuple. */
  private async sortedPage(
    p: Parsed,
    input: SearchInput,
    sort: { by: Exclude<SortKey, 'relevance'>; dir: SortDirection },
    cursor: Extract<Cursor, { m: 's' }> | null,
  ): Promise<SearchPage> {
    const cols = SORT_COLUMNS[sort.by].map((c) => `employees.${c}`);
    const qb = this.base();
    this.whereMatches(qb, p);
    applyFilters(qb, input.filters);
    if (cursor) {
      const tuple = [...cols, 'employees.id'].join(', ');
      const marks = [...cursor.v.map(() => '?'), '?'].join(', ');
      qb.whereRaw(`(${tuple}) ${sort.dir === 'asc' ? '>' : '<'} (${marks})`, [...cursor.v, cursor.i]);
    }
    const rows = (await qb.orderBy([...cols, 'employees.id'].map((column) => ({ column, order: sort.dir }))).limit(input.limit + 1)) as Row[];
    const more = rows.length > input.limit;
    const shown = rows.slice(0, input.limit);
    const last = shown[shown.length - 1];
    return {
      rows: shown.map(toSummary),
      nextCursor:
        more && last
          ? encodeCursor({ m: 's', v: SORT_COLUMNS[sort.by].map((c) => String((last as Record<string, unknown>)[c])), i: Number(last.id) })
          : null,
    };
  }

  /** The match condition for column sorts and counts: every match of every tier. */
  private whereMatches(qb: Knex.QueryBuilder, p: Parsed, db: Knex = this.db): Knex.QueryBuilder {
    if (p.q === '') return qb;
    if (p.long.length > 0) {
      if (this.kind === 'sqlite') {
        qb.whereRaw('employees.id IN (SELECT rowid FROM employee_fts WHERE employee_fts MATCH ?)', [p.long.map(ftsPhrase).join(' AND ')]);
      } else {
        for (const w of p.long) qb.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
      }
      for (const w of p.short) qb.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
      return qb;
    }
    // Only short words: exact keys and prefixes, each an index range, joined by UNION (an OR
    // across columns would be a full scan on PostgreSQL).
    const end = prefixEnd(p.q);
    const range = (table: string, col: string, idCol: string) => (u: Knex.QueryBuilder) =>
      void u.select(idCol).from(table).where(col, '>=', p.q).andWhere(col, '<', end);
    const ids = db
      .select('id')
      .from('employees')
      .where('sort_name', '>=', p.q)
      .andWhere('sort_name', '<', end)
      .union(range('employees', 'given_sort', 'id'))
      .union(range('employees', 'username', 'id'))
      .union(range('employees', 'employee_number', 'id'))
      .union(range('employee_emails', 'address_lc', 'employee_id'));
    return qb.whereIn('employees.id', ids);
  }

  private async relevancePage(p: Parsed, input: SearchInput, cursor: Extract<Cursor, { m: 'r' }> | null): Promise<SearchPage> {
    const want = input.limit + 1; // one more than shown tells whether there is a next page
    const out: Array<{ row: Row; t: 0 | 1 | 2; k: string }> = [];
    const tier = cursor?.t ?? 0;

    const batch = Math.max(want, 50);
    const keysAfter = (after: [string, number] | null) =>
      this.prefixKeyBatches(sourcesFor(p.q), p.q, input.filters, after, batch);
    let after: [string, number] | null = tier === 1 && cursor ? [cursor.k, cursor.i] : null;
    // The first prefix keys are asked for beside tier 0, unless the query is an employee number or
    // an address, which tier 0 alone usually answers (below).
    let pending = tier === 0 && !KEY_SHAPED.test(p.q) ? keysAfter(after) : null;
    // Its failure surfaces where it is awaited; when tier 0 fills the page it is not awaited at all.
    pending?.catch(() => undefined);

    // Starting from tier 0, `met` collects every employee of tiers 0 and 1 that this call meets, in
    // rank order (tier 0 in full, also those a tier-0 cursor has passed): tier 1 lists each employee
    // once, at its first key, by leaving out those already met; and by the time tier 2 runs, tier 1
    // has been walked to its end, so `met` holds all of both and tier 2 leaves them out by id.
    // Resuming from a later tier's cursor, what came before it is not known here, so each row is
    // checked against all its keys, addresses included.
    const fromStart = tier === 0;
    const met = new Set<number>();
    if (tier === 0) {
      for (const r of await this.exactRows(p.q, input.filters)) {
        const key: [string, number] = [String(r.sort_name), Number(r.id)];
        met.add(key[1]);
        if (cursor && compareKeyId(key, [cursor.k, cursor.i]) <= 0) continue;
        out.push({ row: r, t: 0, k: key[0] });
      }
      // An employee number or an email address that matched exactly is almost always the one the
      // agent wants: answer with it at once (b-tree look-ups only) and leave the wider tiers to the
      // next page, which the list fetches as soon as it is shown.
      if (!cursor && out.length > 0 && out.length <= input.limit && KEY_SHAPED.test(p.q)) {
        return { rows: out.map((o) => toSummary(o.row)), nextCursor: encodeCursor({ m: 'r', t: 1, k: '', i: 0 }) };
      }
    }

    if (out.length < want && tier <= 1) {
      for (;;) {
        const { keys: pages, rows: known } = await (pending ?? keysAfter(after));
        pending = null;
        const merged = pages.flat().map((r) => [r.match_key, Number(r.id)] as [string, number]);
        if (merged.length === 0) break;
        merged.sort(compareKeyId);
        // Keys past the shortest full source's last key may still have unseen keys before them.
        const full = pages.filter((pg) => pg.length === batch).map((pg) => [pg[pg.length - 1]!.match_key, Number(pg[pg.length - 1]!.id)] as [string, number]);
        const frontier = full.length ? full.sort(compareKeyId)[0]! : null;
        // Each employee once, at its first key here (each source is complete up to the frontier).
        const candidates: Array<[number, string]> = [];
        for (const [k, id] of merged) {
          if (frontier && compareKeyId([k, id], frontier) > 0) break;
          if (met.has(id)) continue;
          met.add(id);
          candidates.push([id, k]);
        }
        for (let i = 0; i < candidates.length && out.length < want; ) {
          // Rows for what the page still needs (resuming, a few more for those an earlier page had).
          const chunk = candidates.slice(i, i + want - out.length + (fromStart ? 0 : 8));
          i += chunk.length;
          const keyOf = new Map(chunk);
          // Rows the keys came with serve a first page (it needs no addresses); the rest are read.
          const ids = chunk.map(([id]) => id);
          const rows: Array<Row | WithEmails> =
            fromStart && ids.every((id) => known.has(id)) ? ids.map((id) => known.get(id)!) : await this.rowsOf(ids, !fromStart);
          for (const row of rows) {
            const key = keyOf.get(Number(row.id))!;
            if (!fromStart) {
              const mails = addresses(row as WithEmails);
              if (isExact(p.q, row, mails)) continue; // tier 0
              if (firstPrefixKey(p.q, row, mails) !== key) continue; // listed at its first key, before the cursor
            }
            out.push({ row, t: 1, k: key });
            if (out.length >= want) break;
          }
        }
        if (out.length >= want || !frontier) break;
        after = frontier;
      }
    }
    if (out.length < want && p.long.length > 0) {
      let afterId = tier === 2 && cursor ? cursor.i : 0;
      // Enough for the rest of the page plus a few that belong to tiers 0–1 and are skipped here.
      const batch = want - out.length + 16;
      for (;;) {
        const rows = (await this.substringPage(p, input.filters, afterId, batch, !fromStart)) as WithEmails[];
        if (rows.length === 0) break;
        for (const r of rows) {
          if (fromStart) {
            if (met.has(Number(r.id))) continue; // tiers 0 and 1
          } else {
            const mails = addresses(r);
            if (isExact(p.q, r, mails) || firstPrefixKey(p.q, r, mails) !== null) continue; // tiers 0 and 1
          }
          out.push({ row: r, t: 2, k: '' });
          if (out.length >= want) break;
        }
        if (out.length >= want || rows.length < batch) break;
        afterId = Number(rows[rows.length - 1]!.id);
      }
    }

    const more = out.length > input.limit;
    const shown = out.slice(0, input.limit);
    const last = shown[shown.length - 1];
    return {
      rows: shown.map((o) => toSummary(o.row)),
      nextCursor: more && last ? encodeCursor({ m: 'r', t: last.t, k: last.k, i: Number(last.row.id) }) : null,
    };
  }

  /** How many match (up to COUNT_CAP; beyond that, "more than"). */
  async count(query: string, filters: SearchFilters): Promise<SearchCount> {
    const p = parse(query);
    if (p.q !== '' && p.long.length === 0 && (await this.anyPrefixSourceOverCap(p.q, filters))) {
      // One to two characters: if a single index range already holds more than the cap, so does
      // their union; no need to build it.
      return { count: COUNT_CAP, capped: true };
    }
    let inner: Knex.QueryBuilder;
    if (this.kind === 'sqlite' && p.long.length > 0) {
      // Walk the trigram index's matches and stop at the cap, rather than collect them all first.
      inner = this.counter('employee_fts')
        .join('employees', 'employees.id', 'employee_fts.rowid')
        .select(this.counter.raw('1'))
        .whereRaw('employee_fts MATCH ?', [p.long.map(ftsPhrase).join(' AND ')]);
      for (const w of p.short) inner.whereRaw("employees.search_doc LIKE ? ESCAPE '\\'", [`%${likeEscape(w)}%`]);
    } else {
      inner = this.counter('employees').select(this.counter.raw('1'));
      this.whereMatches(inner, p, this.counter);
    }
    applyFilters(inner, filters);
    const row = (await this.counter.from(inner.limit(COUNT_CAP + 1).as('m')).count({ n: '*' }).first()) as { n: number | string };
    const n = Number(row.n);
    return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
  }

  private async anyPrefixSourceOverCap(q: string, filters: SearchFilters): Promise<boolean> {
    const end = prefixEnd(q);
    for (const source of PREFIX_SOURCES) {
      const col = source === 'email' ? 'employee_emails.address_lc' : `employees.${source}`;
      const inner =
        source === 'email'
          ? this.counter('employee_emails').join('employees', 'employees.id', 'employee_emails.employee_id').select(this.counter.raw('1'))
          : this.counter('employees').select(this.counter.raw('1'));
      inner.where(col, '>=', q).andWhere(col, '<', end);
      applyFilters(inner, filters);
      const row = (await this.counter.from(inner.limit(COUNT_CAP + 1).as('m')).count({ n: '*' }).first()) as { n: number | string };
      if (Number(row.n) > COUNT_CAP) return true;
    }
    return false;
  }

  /**
   * Every organisation, for the filter list: one index seek per organisation ("skip scan"), not a
   * DISTINCT over millions of rows.
   */
  async organisations(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const qb = this.db('employees').min({ next: 'organisation' });
      if (out.length) qb.where('organisation', '>', out[out.length - 1]!);
      const row = (await qb.first()) as { next: string | null } | undefined;
      if (!row || row.next === null) return out;
      out.push(row.next);
    }
  }
}
