import { openTestCore } from '../test/support/targets';
import { seedDemoData } from '../electron/core/demo/seed.service';
import { EmployeeSearch } from '../electron/core/employees/search.service';
for (const t of [{ name: 'sqlite' as const }, { name: 'postgres' as const }]) {
  const core = await openTestCore(t);
  await seedDemoData(core.db, core.clock, { employees: 3000, seed: 5, deskUsers: false, actor: { userId: null, name: 'x' }, vault: core.vault });
  const s = new EmployeeSearch(core.db);
  const show = (r: Awaited<ReturnType<EmployeeSearch['page']>>) => r.rows.map((x) => `${x.lastName},${x.firstName}/${x.username}/${x.employeeNumber}`).slice(0, 6).join(' | ');
  for (const q of ['smith', 'sm', 'jane s', '', 'nhs', 'gmail']) {
    let page = await s.page({ query: q, filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 20 });
    let n = page.rows.length, pages = 1; const ids = new Set(page.rows.map(r => r.id));
    while (page.nextCursor && pages < 400) { page = await s.page({ query: q, filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 20, cursor: page.nextCursor }); n += page.rows.length; pages++; page.rows.forEach(r => ids.add(r.id)); }
    const c = await s.count(q, {});
    console.log(t.name, JSON.stringify(q), 'total via pages', n, 'unique', ids.size, 'count', c);
  }
  const first = await s.page({ query: 'smi', filters: {}, sort: { by: 'relevance', dir: 'asc' }, limit: 8 });
  console.log(show(first));
  const byOrg = await s.page({ query: '', filters: { status: 'leaver' }, sort: { by: 'organisation', dir: 'desc' }, limit: 5 });
  console.log(byOrg.rows.map(r => r.organisation + ' ' + r.lastName + ' ' + r.status).join(' | '));
  const n2 = await s.page({ query: '', filters: { status: 'leaver' }, sort: { by: 'organisation', dir: 'desc' }, limit: 5, cursor: byOrg.nextCursor });
  console.log(n2.rows.map(r => r.organisation + ' ' + r.lastName).join(' | '));
  console.log(await s.count('', { locked: true }), await s.count('', { factor: 'both', mfa: 'enabled' }), (await s.organisations()).length);
  await core.dispose();
}
