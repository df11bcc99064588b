import { openDatabase } from '../electron/core/db/connection';
import { EmployeeSearch } from '../electron/core/employees/search.service';
const db = await openDatabase({ dataDir: '/tmp/big' });
const s = new EmployeeSearch(db.knex);
const rel = { by: 'relevance', dir: 'asc' } as const;
async function t(label: string, f: () => Promise<unknown>) { await f(); const t0 = performance.now(); for (let i=0;i<3;i++) await f(); console.log(label.padEnd(40), ((performance.now()-t0)/3).toFixed(1), 'ms'); }
for (const q of ['smith', 'son', 'kinson', 'jane smith', 'ja', 'a', '10733103', 'gmail', 'nhs', "o'brien", 'xyzq', 'e']) {
  await t(`rel ${q}`, () => s.page({ query: q, filters: {}, sort: rel, limit: 50 }));
}
await t('browse name', () => s.page({ query: '', filters: {}, sort: rel, limit: 50 }));
let c = null as string | null; let p = await s.page({ query: 'son', filters: {}, sort: rel, limit: 50 }); for (let i=0;i<20;i++) { p = await s.page({ query: 'son', filters: {}, sort: rel, limit: 50, cursor: p.nextCursor }); } c = p.nextCursor;
await t('son page 22', () => s.page({ query: 'son', filters: {}, sort: rel, limit: 50, cursor: c }));
await t('sort org desc son', () => s.page({ query: 'son', filters: {}, sort: { by: 'organisation', dir: 'desc' }, limit: 50 }));
await t('sort mfa smith', () => s.page({ query: 'smith', filters: {}, sort: { by: 'mfa', dir: 'asc' }, limit: 50 }));
await t('browse locked', () => s.page({ query: '', filters: { locked: true }, sort: rel, limit: 50 }));
await t('browse pending by name', () => s.page({ query: '', filters: { pendingRegistration: true }, sort: { by: 'name', dir: 'asc' }, limit: 50 }));
await t('browse leaver org', () => s.page({ query: '', filters: { status: 'leaver' }, sort: { by: 'organisation', dir: 'asc' }, limit: 50 }));
await t('smith + locked', () => s.page({ query: 'smith', filters: { locked: true }, sort: rel, limit: 50 }));
await t('count all', () => s.count('', {}));
await t('count son', () => s.count('son', {}));
await t('count smith', () => s.count('smith', {}));
await t('count locked', () => s.count('', { locked: true }));
await t('orgs', () => s.organisations());
// last page of browse
let bp = await s.page({ query: '', filters: {}, sort: { by: 'name', dir: 'desc' }, limit: 50 });
await t('browse name desc first', () => s.page({ query: '', filters: {}, sort: { by: 'name', dir: 'desc' }, limit: 50 }));
await db.close();
