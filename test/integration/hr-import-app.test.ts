/**
 * The HR import as the app's screen drives it, through the router: the file in ordered base64 parts
 * (hr.upload.*), the import in the background (hr.import.start), its progress and result
 * (hr.import.status), cancelling between batches, the report; admins only, each their own jobs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeskCore } from '../../electron/core/app';
import type { ManualClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';
import type { HrImportJobView } from '../../shared/domain';
import { openTestCore, TARGETS, type Target, type TestCore } from '../support/targets';
import { okValue } from '../support/call-as';
import { caller, deskUser } from '../support/mfa-fixtures';
import { hrCsv, hrPerson } from '../support/hr-csv';

type Call = ReturnType<typeof caller>;


async function upload(call: Call, csv: string, chunk = 64 * 1024): Promise<string> {
  const bytes = Buffer.from(csv, 'utf8');
  const { uploadId } = await okValue(call('hr.upload.begin', { name: 'extract.csv', size: bytes.length }));
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    await okValue(call('hr.upload.chunk', { uploadId, offset, data: bytes.subarray(offset, offset + chunk).toString('base64') }));
  }
  return uploadId;
}

async function finish(call: Call, job: HrImportJobView): Promise<HrImportJobView> {
  let j = job;
  for (let i = 0; i < 600 && j.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    j = await okValue(call('hr.import.status', { jobId: j.jobId }));
  }
  return j;
}

describe.each(TARGETS)('HR import from the app on $name', (target: Target) => {
  let core: TestCore;
  let admin: Call;
  let otherAdmin: Call;
  let agent: Call;

  beforeAll(async () => {
    core = await openTestCore(target);
    admin = caller(core, await deskUser(core, 'ada.admin', 'admin'));
    otherAdmin = caller(core, await deskUser(core, 'bo.admin', 'admin'));
    agent = caller(core, await deskUser(core, 'pat.agent', 'agent'));
  });
  afterAll(async () => {
    await core?.dispose();
  });

  const people = (n: number, from = 1) => Array.from({ length: n }, (_, i) => hrPerson(from + i, 5));

  it('a dry run reads the uploaded file and counts, writing nothing; then the import writes it', async () => {
    const rows = people(40);
    const csv = hrCsv([...rows, { ...hrPerson(99, 5), employee_number: 'bad' }]);
    const dry = await finish(admin, await okValue(admin('hr.import.start', { uploadId: await upload(admin, csv, 700), dryRun: true })));
    expect(dry.state).toBe('done');
    expect(dry.result?.counts).toMatchObject({ rows: 41, created: 40, rejected: 1 });
    expect(Number(((await core.db('employees').count({ n: '*' }).first()) as { n: unknown }).n)).toBe(0);
    const report = await okValue(admin('hr.import.report', { jobId: dry.jobId }));
    expect(report.truncated).toBe(false);
    expect(report.csv).toMatch(/^line,/);
    expect(report.csv).toContain('bad');

    const real = await finish(admin, await okValue(admin('hr.import.start', { uploadId: await upload(admin, csv), dryRun: false })));
    expect(real.state).toBe('done');
    expect(real.result?.counts).toMatchObject({ rows: 41, created: 40, rejected: 1 });
    // Exactly the 40 good rows, by their numbers, and nothing else.
    const imported = (await core.db('employees').orderBy('employee_number').pluck('employee_number')) as string[];
    expect(imported).toEqual(rows.map((r) => r.employee_number).sort());
    // The same file again changes nothing.
    const again = await finish(admin, await okValue(admin('hr.import.start', { uploadId: await upload(admin, csv), dryRun: false })));
    expect(again.result?.counts).toMatchObject({ created: 0, updated: 0, unchanged: 40 });
  });

  it('an upload arrives in order, whole, and is imported once', async () => {
    const csv = hrCsv(people(3, 200));
    const bytes = Buffer.from(csv);
    const { uploadId } = await okValue(admin('hr.upload.begin', { name: 'x.csv', size: bytes.length }));
    const skip = await admin('hr.upload.chunk', { uploadId, offset: 10, data: bytes.subarray(10).toString('base64') });
    expect(skip.ok ? 'ok' : skip.error.code).toBe('VALIDATION');
    const early = await admin('hr.import.start', { uploadId, dryRun: true });
    expect(early.ok ? 'ok' : early.error.code).toBe('VALIDATION');
    const tooLong = await admin('hr.upload.chunk', { uploadId, offset: 0, data: Buffer.concat([bytes, Buffer.from('x')]).toString('base64') });
    expect(tooLong.ok ? 'ok' : tooLong.error.code).toBe('VALIDATION');
    await okValue(admin('hr.upload.chunk', { uploadId, offset: 0, data: bytes.toString('base64') }));
    // Another admin cannot use it, nor see the job.
    const theirs = await otherAdmin('hr.import.start', { uploadId, dryRun: true });
    expect(theirs.ok ? 'ok' : theirs.error.code).toBe('NOT_FOUND');
    const job = await finish(admin, await okValue(admin('hr.import.start', { uploadId, dryRun: true })));
    expect(job.state).toBe('done');
    const peek = await otherAdmin('hr.import.status', { jobId: job.jobId });
    expect(peek.ok ? 'ok' : peek.error.code).toBe('NOT_FOUND');
    const twice = await admin('hr.import.start', { uploadId, dryRun: true });
    expect(twice.ok ? 'ok' : twice.error.code).toBe('NOT_FOUND');
  });

  it('cancelling stops between batches: what was imported is whole, and the rest follows on a re-run', async () => {
    const rows = people(30_000, 1000);
    const csv = hrCsv(rows);
    const job = await okValue(admin('hr.import.start', { uploadId: await upload(admin, csv, 512 * 1024), dryRun: false }));
    let j = job;
    for (let i = 0; i < 400 && j.state === 'running' && !(j.progress?.phase === 'importing' && j.progress.rows > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
      j = await okValue(admin('hr.import.status', { jobId: job.jobId }));
    }
    await okValue(admin('hr.import.cancel', { jobId: job.jobId }));
    const done = await finish(admin, j);
    expect(done.state).toBe('cancelled');
    const imported = Number(((await core.db('employees').whereIn('employee_number', rows.map((r) => r.employee_number)).count({ n: '*' }).first()) as { n: unknown }).n);
    // Whole batches only, and not all of them.
    expect(imported % 1000).toBe(0);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(30_000);
    const rerun = await finish(admin, await okValue(admin('hr.import.start', { uploadId: await upload(admin, csv, 512 * 1024), dryRun: false })));
    expect(rerun.state).toBe('done');
    expect(rerun.result?.counts).toMatchObject({ created: 30_000 - imported, unchanged: imported });
  }, 120_000);

  it('at start-up, removes uploads and reports an earlier run left behind (older than an hour); keeps recent ones and other files', async () => {
    const dir = path.join(core.scratch.dataDir, 'imports');
    fs.mkdirSync(dir, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    const put = (name: string, old: boolean) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, 'employee_number\n10000001\n');
      if (old) fs.utimesSync(f, twoHoursAgo, twoHoursAgo);
      return f;
    };
    const oldUpload = put('left-behind.csv', true);
    const oldReport = put('left-behind.report.csv', true);
    const recent = put('recent.csv', false);
    const other = put('notes.txt', true);
    const again = await openDeskCore({
      config: { dataDir: core.scratch.dataDir, databaseUrl: core.scratch.databaseUrl, databaseSchema: core.scratch.schema },
      logger: silentLogger,
    });
    try {
      expect([oldUpload, oldReport, recent, other].map((f) => fs.existsSync(f))).toEqual([false, false, true, true]);
    } finally {
      await again.close();
      fs.rmSync(recent, { force: true });
      fs.rmSync(other, { force: true });
    }
  });

  it('is for admins only', async () => {
    for (const [channel, input] of [
      ['hr.upload.begin', { name: 'x.csv', size: 10 }],
      ['hr.import.status', { jobId: 'abcdefghijkl' }],
    ] as const) {
      const r = await agent(channel, input);
      expect(r.ok ? 'ok' : r.error.code).toBe('FORBIDDEN');
    }
  });

  // Last: it moves the desk's clock on an hour, past every session made above.
  it('forgets a finished job an hour after it ended, and removes its report with it', async () => {
    await finish(admin, await okValue(admin('hr.import.start', { uploadId: await upload(admin, hrCsv(people(3, 500))), dryRun: true })));
    const dir = path.join(core.scratch.dataDir, 'imports');
    const reports = () => fs.readdirSync(dir).filter((n) => n.endsWith('.report.csv'));
    expect(reports().length).toBeGreaterThan(0);
    (core.clock as ManualClock).advance(30 * 60_000);
    const someone = caller(core, await deskUser(core, 'cy.admin', 'admin'));
    await okValue(someone('hr.upload.begin', { name: 'later.csv', size: 10 })); // each new upload sweeps
    expect(reports().length).toBeGreaterThan(0); // half an hour: still there
    (core.clock as ManualClock).advance(31 * 60_000);
    const later = caller(core, await deskUser(core, 'di.admin', 'admin'));
    await okValue(later('hr.upload.begin', { name: 'later.csv', size: 10 }));
    expect(reports()).toEqual([]);
  });
});
