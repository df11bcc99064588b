/**
 * The HR import: the HR extract (a CSV file, possibly millions of rows) brought into the employee
 * records. Employees are matched by employee number: new ones are created, changed ones updated
 * (version + 1), the rest left alone, so running the same file twice changes nothing the second
 * time. The file is read twice, streaming, in constant memory: first a check that it is CSV with
 * the columns the import needs (nothing is written unless it is), then the import in batches, each
 * batch all-or-nothing with its audit row (on PostgreSQL a transaction each; on sqlite a savepoint,
 * committed a few batches at a time, SQLITE_GROUP), so an import that is stopped leaves whole
 * batches and can simply be run again.
 *
 * Its parts: header.ts (the columns), row-checks.ts (one row's rules), batch-plan.ts (what a batch
 * changes), batch-apply.ts (writing it), report-file.ts (rejected rows and conflicts by line) and
 * import.ts (the two reads). Emails: HR's addresses replace those HR gave before; one a manager
 * added, or one an active email factor sends codes to, is kept and reported as a conflict.
 * Leavers: their pending registrations and unused codes are cancelled, audited per employee.
 */
export { HR_COLUMNS, type HrColumn } from './header';
export { defaultReportFile } from './report-file';
export { HR_IMPORT_BATCH, SQLITE_GROUP, type HrImportOptions, type HrImportProgress, type HrImportResult } from './options';
export { importHrFile } from './import';
