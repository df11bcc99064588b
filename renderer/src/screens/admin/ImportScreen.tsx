/**
 * Admins import the HR extract (CSV): choose the file; "Check only (dry run)" reads the whole file
 * and says what would change, saving nothing; the import itself asks first, in a dialog that says
 * what it will do (from the dry run's counts when there was one). The file goes to the main
 * process in parts over the contract, then the import runs there while this screen follows it
 * (phase, rows, rows/s, time left) and can cancel it. Each batch is all-or-nothing and importing
 * the same file again is safe.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, FileInput, Group, List, Paper, Progress, Radio, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconDownload, IconFileSpreadsheet, IconPlayerStop } from '@tabler/icons-react';
import type { HrImportCountsView, HrImportJobView } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { PageHeader, SectionTitle } from '../../components/ui';
import { formatNumber, plural } from '../../format';
import { errorText, notify } from '../../lib/feedback';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { ConfirmDialog } from './ConfirmDialog';
import classes from './admin.module.css';

const POLL_MS = 500;

const COUNT_LABELS: Array<[keyof HrImportCountsView, string]> = [
  ['rows', 'Rows read'],
  ['created', 'New employees'],
  ['updated', 'Updated'],
  ['unchanged', 'Unchanged'],
  ['leavers', 'Became leavers'],
  ['rejoined', 'Active again'],
  ['rejected', 'Rejected rows'],
  ['conflicts', 'Conflicts (addresses kept)'],
  ['emailsAdded', 'Emails added'],
  ['emailsRemoved', 'Emails removed'],
  ['pendingFactorsCancelled', 'Pending registrations cancelled'],
  ['codesCancelled', 'Unused codes cancelled'],
];

type Mode = 'check' | 'import';

/** The dry run of a file, kept to say what importing that same file will do. */
interface Checked {
  file: File;
  counts: HrImportCountsView;
  totalRows: number;
}

type Stage = { kind: 'idle' } | { kind: 'uploading'; sent: number; total: number; dryRun: boolean } | { kind: 'job'; jobId: string };

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'working it out';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function bytes(n: number): string {
  if (n < 1024) return plural(n, 'byte', 'bytes');
  if (n < 1024 ** 2) return `${formatNumber(Math.round(n / 102.4) / 10)} KB`;
  return `${formatNumber(Math.round(n / (1024 ** 2 / 10)) / 10)} MB`;
}

export function ImportScreen() {
  const { call, refreshStatus } = useDesk();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<Mode>('check');
  const [fileError, setFileError] = useState<string | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [checked, setChecked] = useState<Checked | null>(null);
  const [confirming, setConfirming] = useState(false);
  const starting = useRef(false);
  const live = useRef(true);
  const progressRef = useRef<HTMLElement>(null);
  const fileButton = useRef<HTMLButtonElement>(null);
  /** The file of the job being followed (its dry run counts are kept for it). */
  const jobFile = useRef<File | null>(null);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const jobId = stage.kind === 'job' ? stage.jobId : null;
  const job = useChannel('hr.import.status', { jobId: jobId ?? 'no-job-yet' }, {
    enabled: jobId !== null,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? POLL_MS : false),
  });
  const current: HrImportJobView | null = jobId && job.data?.jobId === jobId ? job.data : null;
  const running = stage.kind === 'uploading' || current?.state === 'running';

  const cancel = useChannelMutation('hr.import.cancel', {
    onSuccess: (j) => queryClient.setQueryData(channelKey('hr.import.status', { jobId: j.jobId }), j),
    onError: (err) => notify.error(err, 'Could not cancel the import'),
  });

  // Once a job has finished: say so, keep a dry run's counts, refresh what an import changed.
  const handled = useRef<string | null>(null);
  useEffect(() => {
    if (!current || current.state === 'running' || handled.current === current.jobId) return;
    handled.current = current.jobId;
    const what = current.dryRun ? 'The check' : 'The import';
    if (current.state === 'done' && current.result) {
      const rejected = current.result.counts.rejected;
      if (current.dryRun && jobFile.current) setChecked({ file: jobFile.current, counts: current.result.counts, totalRows: current.result.totalRows });
      if (!current.dryRun) {
        setChecked(null);
        void refreshStatus();
        void queryClient.invalidateQueries({ predicate: (q) => !String(q.queryKey[0]).startsWith('hr.') });
      }
      const summary = `${what} of ${plural(current.result.totalRows, 'row', 'rows')} is finished.${current.dryRun ? ' Nothing was saved.' : ''}`;
      if (rejected > 0 || current.result.warnings.length > 0) notify.warning(`${summary} ${plural(rejected, 'row was', 'rows were')} rejected: see the report.`);
      else notify.success(summary);
    } else if (current.state === 'cancelled') {
      notify.info(`${what} was cancelled.${current.dryRun ? '' : ' The batches done stay done; importing the file again is safe.'}`);
    } else if (current.state === 'failed') {
      setFileError(current.error ?? `${what} stopped with an unexpected error.`);
    }
  }, [current, queryClient, refreshStatus]);

  function chooseFile(next: File | null) {
    setFile(next);
    setFileError(null);
    if (stage.kind === 'job' && !running) setStage({ kind: 'idle' });
  }

  /** The file's problem before anything is sent, or null. */
  function fileProblem(f: File | null): string | null {
    if (!f) return 'Choose the HR extract first: a CSV file with a header row.';
    if (f.size === 0) return `${f.name} is empty. Choose the HR extract: a CSV file with a header row naming its columns.`;
    if (!/\.csv$/i.test(f.name) && f.type !== 'text/csv') return `${f.name} is not a CSV file. Choose the HR extract saved as CSV (.csv).`;
    return null;
  }

  /** Send the file in parts, then start the job (a dry run or the import). */
  async function run(f: File, dryRun: boolean): Promise<void> {
    if (starting.current) return;
    starting.current = true;
    setFileError(null);
    jobFile.current = f;
    try {
      const { uploadId, chunkBytes } = await call('hr.upload.begin', { name: f.name, size: f.size });
      setStage({ kind: 'uploading', sent: 0, total: f.size, dryRun });
      requestAnimationFrame(() => progressRef.current?.scrollIntoView({ block: 'nearest' }));
      for (let offset = 0; offset < f.size; offset += chunkBytes) {
        const part = new Uint8Array(await f.slice(offset, offset + chunkBytes).arrayBuffer());
        await call('hr.upload.chunk', { uploadId, offset, data: base64(part) });
        if (!live.current) return;
        setStage({ kind: 'uploading', sent: Math.min(f.size, offset + part.length), total: f.size, dryRun });
      }
      const started = await call('hr.import.start', { uploadId, dryRun });
      if (!live.current) return;
      queryClient.setQueryData(channelKey('hr.import.status', { jobId: started.jobId }), started);
      setStage({ kind: 'job', jobId: started.jobId });
    } catch (err) {
      if (!live.current) return;
      setStage({ kind: 'idle' });
      // What is wrong with the file goes under the file; anything else (an import already running) in a toast.
      if (err instanceof DeskError && (err.code === 'VALIDATION' || err.code === 'NOT_FOUND')) {
        setFileError(errorText(err));
        fileButton.current?.focus();
      } else notify.error(err, dryRun ? 'Could not check the file' : 'Could not import the file');
    } finally {
      starting.current = false;
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (running || starting.current) return;
    const problem = fileProblem(file);
    if (problem) {
      setFileError(problem);
      fileButton.current?.focus();
      return;
    }
    if (mode === 'check') void run(file!, true);
    else setConfirming(true);
  }

  const checkedThis = checked && file && checked.file === file ? checked : null;

  return (
    <div className="screen">
      <PageHeader
        title="HR import"
        description="Bring the HR extract into the employee records: new employees are added, changed ones updated, leavers marked. Employees are matched by employee number."
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" className={classes.importGrid}>
        <Paper component="section" aria-labelledby="import-file">
          <SectionTitle id="import-file">The file</SectionTitle>
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <FileInput
                ref={fileButton}
                label="HR extract (CSV)"
                description="A CSV file with a header row; the columns are listed in the README."
                placeholder="Choose a file…"
                accept=".csv,text/csv"
                leftSection={<IconFileSpreadsheet size={16} aria-hidden="true" />}
                clearable={!running}
                clearButtonProps={{ 'aria-label': 'Remove the chosen file' }}
                value={file}
                onChange={chooseFile}
                disabled={running}
                error={fileError}
              />
              <Radio.Group label="What to do" value={mode} onChange={(v) => setMode(v as Mode)}>
                <Stack gap={8} mt={6}>
                  <Radio value="check" label="Check only (dry run)" description="Reads the whole file and says what would change. Nothing is saved." disabled={running} />
                  <Radio value="import" label="Import" description="Saves the changes, batch by batch. You confirm first." disabled={running} />
                </Stack>
              </Radio.Group>
              <Group>
                <Button type="submit" disabled={running} loading={stage.kind === 'uploading'}>
                  {mode === 'check' ? 'Check the file' : 'Import…'}
                </Button>
              </Group>
              <Text size="xs" c="dimmed">
                Each batch of rows is saved whole or not at all, and importing the same file again changes nothing. No one
                gets mail.
              </Text>
            </Stack>
          </form>
        </Paper>

        <Paper component="section" aria-label="Import progress" ref={progressRef}>
          <SectionTitle>Progress and result</SectionTitle>
          {stage.kind === 'uploading' ? (
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                Sending the file
              </Text>
              <Progress value={stage.total ? (stage.sent / stage.total) * 100 : 0} aria-label="Sending the file" size="lg" />
              <Text size="sm" role="status">
                Sent {bytes(stage.sent)} of {bytes(stage.total)}
              </Text>
            </Stack>
          ) : current ? (
            <JobView
              job={current}
              cancelling={cancel.isPending}
              onCancel={() => cancel.mutate({ jobId: current.jobId })}
              onImport={checkedThis && current.dryRun && current.state === 'done' ? () => setConfirming(true) : null}
            />
          ) : (
            <Text size="sm" c="dimmed" role="status">
              Nothing is running. Choose the file, check it, then import it: the counts of the check show here.
            </Text>
          )}
        </Paper>
      </SimpleGrid>

      {file ? (
        <ConfirmDialog
          opened={confirming}
          onClose={() => setConfirming(false)}
          title={`Import ${file.name}?`}
          confirmLabel={checkedThis ? `Import ${plural(checkedThis.totalRows, 'row', 'rows')}` : 'Import the file'}
          onConfirm={async () => {
            // The dialog closes at once; the progress shows beside the form.
            void run(file, false);
          }}
        >
          <ImportConsequences file={file} checked={checkedThis} />
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** What the import will do, in words: from the dry run of this file when there was one. */
function ImportConsequences({ file, checked }: { file: File; checked: Checked | null }) {
  if (!checked) {
    return (
      <>
        <p>
          <strong>{file.name}</strong> has not been checked with a dry run, so the desk cannot say yet how many records
          will change. The import adds new employees, updates changed ones, marks leavers (cancelling their pending
          registrations and unused codes) and replaces the email addresses HR gave before.
        </p>
        <p>To see the counts first, cancel and choose “Check only (dry run)”.</p>
        <p>The changes are saved batch by batch and are not undone by cancelling. No one gets mail.</p>
      </>
    );
  }
  const c = checked.counts;
  const items = [
    c.created > 0 && `${plural(c.created, 'new employee is', 'new employees are')} added`,
    c.updated > 0 && `${plural(c.updated, 'employee is', 'employees are')} updated${c.leavers > 0 ? `, ${plural(c.leavers, 'of them becomes a leaver', 'of them become leavers')}` : ''}${c.rejoined > 0 ? `, ${formatNumber(c.rejoined)} active again` : ''}`,
    c.emailsAdded > 0 && `${plural(c.emailsAdded, 'email address is', 'email addresses are')} added`,
    c.emailsRemoved > 0 && `${plural(c.emailsRemoved, 'email address is', 'email addresses are')} removed`,
    c.pendingFactorsCancelled > 0 && `${plural(c.pendingFactorsCancelled, 'pending registration is', 'pending registrations are')} cancelled`,
    c.codesCancelled > 0 && `${plural(c.codesCancelled, 'unused code is', 'unused codes are')} cancelled`,
    c.conflicts > 0 && `${plural(c.conflicts, 'address is', 'addresses are')} kept against HR's data (see the report)`,
    c.rejected > 0 && `${plural(c.rejected, 'row is', 'rows are')} rejected and left out (see the report)`,
  ].filter((x): x is string => typeof x === 'string');
  return (
    <>
      <p>
        The dry run of <strong>{file.name}</strong> read {plural(checked.totalRows, 'row', 'rows')}. Importing it now:
      </p>
      {items.length > 0 ? (
        <ul>
          {items.map((t) => (
            <li key={t}>{t};</li>
          ))}
        </ul>
      ) : (
        <p>changes nothing: every employee in it is already as HR says.</p>
      )}
      <p>
        {c.unchanged > 0 ? `${plural(c.unchanged, 'employee stays', 'employees stay')} as they are. ` : ''}The changes are saved
        batch by batch and are not undone by cancelling. No one gets mail.
      </p>
    </>
  );
}

function JobView({ job, cancelling, onCancel, onImport }: { job: HrImportJobView; cancelling: boolean; onCancel: () => void; onImport: (() => void) | null }) {
  const p = job.progress;
  // While the file is only being read, every count is still 0: they show once rows are counted.
  const counts = job.result?.counts ?? (p && p.phase !== 'checking' ? p.counts : null);
  const what = job.dryRun ? 'Dry run' : 'Import';
  // The live status says only what changes rarely (the phase, the end); the numbers tick beside it.
  let status: string;
  let detail: string | null = null;
  if (job.state === 'running') {
    if (!p) status = `${what}: starting…`;
    else if (p.phase === 'checking') {
      status = `${what}: checking the file…`;
      detail = `${formatNumber(p.rows)} rows read`;
    } else if (p.phase === 'indexing') {
      status = `${what}: every row is in; building the look-up's indexes…`;
      detail = `${formatNumber(p.rows)} of ${formatNumber(p.totalRows ?? 0)} indexes done`;
    } else {
      status = `${what}: ${job.dryRun ? 'working out the changes' : 'saving the rows'}…`;
      detail = `${formatNumber(p.rows)} of ${formatNumber(p.totalRows ?? 0)} rows, ${formatNumber(Math.round(p.rowsPerSecond))} rows/s, about ${duration(p.etaSeconds)} left`;
    }
  } else if (job.state === 'done') {
    status = `${what} finished: ${formatNumber(job.result?.totalRows ?? 0)} rows in ${duration(job.result?.seconds ?? 0)}.${job.dryRun ? ' Nothing was saved.' : ''}`;
  } else if (job.state === 'cancelled') {
    status = job.dryRun ? 'Dry run cancelled. Nothing was saved.' : 'Import cancelled. The batches done stay done; importing the file again is safe.';
  } else {
    status = job.dryRun
      ? 'Dry run stopped. Nothing was saved. See the message under the file.'
      : 'Import stopped: the batches done stay done, nothing more was saved. See the message under the file.';
  }
  const phaseLabel = p?.phase === 'checking' ? 'Checking the file' : p?.phase === 'indexing' ? 'Building the indexes' : 'Importing';
  const percent = p ? (p.phase === 'checking' ? (p.totalBytes ? (p.bytes / p.totalBytes) * 100 : 0) : p.totalRows ? (p.rows / p.totalRows) * 100 : 0) : 0;

  return (
    <Stack gap="sm">
      <Text size="sm" fw={500} className="prewrap">
        {job.name}
      </Text>
      {job.state === 'running' ? (
        <Stack gap={6}>
          <Progress value={percent} aria-label={phaseLabel} size="lg" animated={!p} striped={!p} />
          <Group justify="space-between" gap="xs">
            <Text size="xs" c="dimmed">
              {phaseLabel}
            </Text>
            <Text size="xs" c="dimmed">
              {Math.floor(percent)}%
            </Text>
          </Group>
        </Stack>
      ) : null}
      <Text size="sm" role="status" fw={job.state === 'running' ? undefined : 600} c={job.state === 'failed' ? 'red.8' : undefined}>
        {status}
      </Text>
      {detail ? (
        <Text size="sm" data-testid="import-numbers">
          {detail}
        </Text>
      ) : null}
      {job.state === 'running' ? (
        <Group>
          <Button variant="default" size="xs" leftSection={<IconPlayerStop size={14} aria-hidden="true" />} loading={cancelling} onClick={onCancel}>
            {job.dryRun ? 'Cancel the check' : 'Cancel the import'}
          </Button>
        </Group>
      ) : null}
      {onImport ? (
        <Alert color="blue" variant="light" p="sm" role="note">
          <Group justify="space-between" gap="sm">
            <Text size="sm">Importing this file saves these changes.</Text>
            <Button size="xs" onClick={onImport}>
              Import this file…
            </Button>
          </Group>
        </Alert>
      ) : null}
      {job.result && job.result.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" title="Warnings" p="sm" role="note">
          <List size="sm" spacing={2}>
            {job.result.warnings.map((w) => (
              <List.Item key={w}>{w}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {job.state !== 'running' && job.result && job.result.reportLines > 0 ? <ReportLink job={job} /> : null}
      {counts ? (
        <Table className={classes.counts} aria-label={job.state === 'running' ? 'So far' : 'Result'} withRowBorders>
          <Table.Tbody>
            {COUNT_LABELS.map(([k, label]) => (
              <Table.Tr key={k} className={counts[k] === 0 ? classes.zero : undefined}>
                <Table.Th scope="row">{label}</Table.Th>
                <Table.Td>{formatNumber(counts[k])}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}

/** The line-numbered report of rejected rows and conflicts, as a download. */
function ReportLink({ job }: { job: HrImportJobView }) {
  const report = useChannel('hr.import.report', { jobId: job.jobId }, { staleTime: Infinity });
  const url = useMemo(() => (report.data ? URL.createObjectURL(new Blob([report.data.csv], { type: 'text/csv' })) : null), [report.data]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  if (report.isError) return <Text size="sm" c="red.8">The report could not be read: {report.error.message}</Text>;
  if (!url || !report.data) return <Text size="sm" c="dimmed">Preparing the report…</Text>;
  return (
    <Text size="sm">
      <Anchor href={url} download={`${job.name.replace(/\.csv$/i, '')}.report.csv`}>
        <IconDownload size={14} aria-hidden="true" /> Download the report of rejected rows and conflicts
      </Anchor>
      {report.data.truncated ? ' (the first megabyte; the whole report is in the data directory)' : ''}
    </Text>
  );
}
