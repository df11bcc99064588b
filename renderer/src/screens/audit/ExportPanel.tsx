/** The export beside the events filter: what the filter shows, as CSV or JSON, with the job's progress and the download. */
import { Anchor, Box, Button, Group, Loader, Paper, Progress, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { AUDIT_EXPORT_FORMATS, type AuditReportFilter } from '../../../../shared/domain';
import { ActionButton } from '../../components/actions';
import { formatNumber, plural } from '../../format';
import type { AuditExportState } from './useAuditExport';
import classes from './Audit.module.css';

export function ExportPanel({ exporter, filter, unavailable }: { exporter: AuditExportState; filter: AuditReportFilter; unavailable: string | null }) {
  const { job, download, preparing, starting, cancelling } = exporter;
  const running = job?.state === 'running';
  const busy = running ? 'An export is running: wait for it, or cancel it.' : starting ? 'An export is starting.' : null;
  const percent = job && job.total ? Math.min(100, Math.round((job.rows / job.total) * 100)) : null;

  return (
    <Paper component="section" aria-labelledby="audit-export" p="sm" className={classes.exportPanel}>
      <Group gap={6} wrap="nowrap">
        <IconDownload size={16} aria-hidden="true" />
        <Title order={2} id="audit-export" fz="sm">
          Export
        </Title>
      </Group>
      <Text size="xs" c="dimmed" mb={8}>
        The events the filter shows, with the signed chain head.
      </Text>
      <Group gap={6} wrap="nowrap">
        {AUDIT_EXPORT_FORMATS.map((format) => (
          <ActionButton
            key={format}
            variant="default"
            size="xs"
            px={12}
            loading={starting === format}
            unavailable={unavailable ?? (starting === format ? null : busy)}
            onClick={() => exporter.start(filter, format)}
          >
            <span className="visually-hidden">Export </span>
            {format.toUpperCase()}
          </ActionButton>
        ))}
      </Group>
      <div role="status" aria-live="polite" className={classes.exportStatus}>
        {job ? (
          job.state === 'running' ? (
            <>
              <Progress value={percent ?? 100} animated={percent === null} size="sm" aria-label="Export progress" mt={8} />
              <Text size="xs" mt={4}>
                {formatNumber(job.rows)}
                {job.total !== null ? ` of ${formatNumber(job.total)}` : ''} events written…
              </Text>
              <Button variant="light" color="red" size="compact-xs" mt={6} onClick={exporter.cancel} loading={cancelling}>
                Cancel the export
              </Button>
            </>
          ) : job.state === 'done' ? (
            job.savedTo ? (
              <Text size="xs" mt={8} className={classes.wrap}>
                Exported {plural(job.rows, 'event', 'events')} to {job.savedTo}.
              </Text>
            ) : download ? (
              <Box mt={8}>
                <Text size="xs">Exported {plural(job.rows, 'event', 'events')}.</Text>
                <Anchor href={download.url} download={download.name} size="sm" fw={600} className={classes.downloadLink}>
                  <IconDownload size={15} aria-hidden="true" className={classes.downloadIcon} />
                  Download {download.name}
                </Anchor>
              </Box>
            ) : preparing ? (
              <Group gap={6} mt={8}>
                <Loader size="xs" type="dots" aria-hidden="true" />
                <Text size="xs">Preparing the download…</Text>
              </Group>
            ) : null
          ) : job.state === 'cancelled' ? (
            <Text size="xs" mt={8}>
              The export was cancelled; nothing was kept.
            </Text>
          ) : (
            <Text size="xs" mt={8} c="red.8">
              The export failed: {job.error ?? 'no reason given'}. Try again, or narrow the filter.
            </Text>
          )
        ) : null}
      </div>
    </Paper>
  );
}
