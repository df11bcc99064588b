/**
 * Admins import the HR extract (CSV): choose the file; "Check only (dry run)" reads the whole file
 * and says what would change, saving nothing; the import itself asks first, in a dialog that says
 * what it will do (from the dry run's counts when there was one). The file goes to the main
 * process in parts over the contract, then the import runs there while this screen follows it
 * (phase, rows, rows/s, time left) and can cancel it. Each batch is all-or-nothing and importing
 * the same file again is safe.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, FileInput, Group, Paper, Progress, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconFileSpreadsheet } from '@tabler/icons-react';
import type { HrImportJobView } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { PageHeader, SectionTitle } from '../../components/ui';
import { plural } from '../../format';
import { errorText, notify } from '../../lib/feedback';
import { channelKey, useChannel, useChannelMutation } from '../../lib/query';
import { useDesk } from '../../lib/session';
import { ConfirmDialog } from './ConfirmDialog';
import { ImportConsequences, type Checked } from './ImportConsequences';
import { JobView } from './ImportJob';
import { bytes } from './import-words';
import classes from './admin.module.css';

const POLL_MS = 500;

type Mode = 'check' | 'import';

type Stage = { kind: 'idle' } | { kind: 'uploading'; sent: number; total: number; dryRun: boolean } | { kind: 'job'; jobId: string };

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
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
                description="With a header row; the columns are in the admin guide (docs/admin.md)."
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
              <Radio.Group label="What to do" value={mode} onChange={(v) => setMode(v)}>
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
          onConfirm={() => {
            // The dialog closes at once; the progress shows beside the form.
            void run(file, false);
            return Promise.resolve();
          }}
        >
          <ImportConsequences file={file} checked={checkedThis} />
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
