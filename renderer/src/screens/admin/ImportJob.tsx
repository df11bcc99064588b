/** An HR import job as it runs and when it ends: phase, rows, speed, time left, warnings, the report and the counts. */
import { useEffect, useMemo } from 'react';
import { Alert, Anchor, Button, Group, List, Progress, Stack, Table, Text } from '@mantine/core';
import { IconDownload, IconPlayerStop } from '@tabler/icons-react';
import type { HrImportJobView } from '../../../../shared/domain';
import { formatNumber } from '../../format';
import { useChannel } from '../../lib/query';
import { COUNT_LABELS, duration } from './import-words';
import classes from './admin.module.css';

export function JobView({ job, cancelling, onCancel, onImport }: { job: HrImportJobView; cancelling: boolean; onCancel: () => void; onImport: (() => void) | null }) {
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
