/**
 * An audit export (CSV, XLSX or PDF) that the main process writes in the background. It lives above
 * the tabs, so it keeps going (and answers with a toast) while the supervisor looks at another tab.
 * The status is polled through TanStack Query while the job runs. In the app, the file goes where
 * the save dialog said; in the browser host the finished file is fetched in parts
 * (audit.export.chunk) and offered as a download link.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { AUDIT_EXPORT_MIME, type AuditExportFormat, type AuditExportJobView, type AuditReportFilter } from '../../../../shared/domain';
import { plural } from '../../format';
import { notify } from '../../lib/feedback';
import { channelKey, useChannelMutation } from '../../lib/query';
import { useCall } from '../../lib/session';

export interface ExportDownload {
  url: string;
  name: string;
}

export interface AuditExportState {
  job: AuditExportJobView | null;
  /** The finished file, ready to save (browser host). */
  download: ExportDownload | null;
  /** The finished file is being fetched in parts. */
  preparing: boolean;
  /** The format being started (the save dialog may be open in the app). */
  starting: AuditExportFormat | null;
  cancelling: boolean;
  start: (filter: AuditReportFilter, format: AuditExportFormat) => void;
  cancel: () => void;
}

const statusKey = (jobId: string) => channelKey('audit.export.status', { jobId });

function settledMessage(job: AuditExportJobView): void {
  if (job.state === 'done' && job.savedTo) notify.success(`Exported ${plural(job.rows, 'event', 'events')} to ${job.savedTo}.`);
  else if (job.state === 'failed') notify.error(new Error(`The export stopped: ${job.error ?? 'no reason given'}. Try again, or narrow the filter.`), 'The export failed');
}

export function useAuditExport(): AuditExportState {
  const call = useCall();
  const queryClient = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const lastUrl = useRef<string | null>(null);

  const status = useQuery({
    queryKey: statusKey(jobId ?? ''),
    queryFn: async ({ signal }) => {
      const before = queryClient.getQueryData<AuditExportJobView>(statusKey(jobId ?? ''));
      const next = await call('audit.export.status', { jobId: jobId ?? '' }, { signal });
      if (before?.state === 'running' && next.state !== 'running') settledMessage(next);
      return next;
    },
    enabled: jobId !== null,
    staleTime: Infinity,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 400 : false),
  });
  const job = jobId !== null ? (status.data ?? null) : null;

  // Finished, and not saved by the app: fetch it in parts and make it a file to download.
  const wanted = job !== null && job.state === 'done' && job.savedTo === null;
  const file = useQuery({
    queryKey: ['audit.export.file', job?.jobId ?? ''],
    enabled: wanted,
    staleTime: Infinity,
    queryFn: async ({ signal }): Promise<ExportDownload> => {
      const finished = job!;
      const parts: BlobPart[] = [];
      let offset = 0;
      for (;;) {
        const part = await call('audit.export.chunk', { jobId: finished.jobId, offset }, { signal });
        parts.push(Uint8Array.from(atob(part.data), (c) => c.charCodeAt(0)));
        offset = part.offset;
        if (part.done) break;
      }
      const url = URL.createObjectURL(new Blob(parts, { type: AUDIT_EXPORT_MIME[finished.format] }));
      if (lastUrl.current) URL.revokeObjectURL(lastUrl.current);
      lastUrl.current = url;
      notify.success(`Exported ${plural(finished.rows, 'event', 'events')}: ${finished.fileName} is ready to download.`);
      return { url, name: finished.fileName };
    },
  });

  useEffect(
    () => () => {
      if (lastUrl.current) URL.revokeObjectURL(lastUrl.current);
      lastUrl.current = null;
    },
    [],
  );

  useEffect(() => {
    if (file.isError) notify.error(file.error, 'The export could not be downloaded');
  }, [file.isError, file.error]);

  const starter = useChannelMutation('audit.export.start', {
    onSuccess: (started) => {
      if (!started) {
        notify.info('No file was chosen, so nothing was exported.');
        return;
      }
      queryClient.setQueryData(statusKey(started.jobId), started);
      setJobId(started.jobId);
      if (started.state !== 'running') settledMessage(started);
    },
    onError: (err) => notify.error(err, 'The export did not start'),
  });

  const canceller = useChannelMutation('audit.export.cancel', {
    onSuccess: (view) => {
      queryClient.setQueryData(statusKey(view.jobId), view);
      if (view.state === 'cancelled') notify.info('The export was cancelled; nothing was kept.');
      else settledMessage(view);
    },
    onError: (err) => notify.error(err, 'The export could not be cancelled'),
  });

  const start = useCallback(
    (filter: AuditReportFilter, format: AuditExportFormat) => {
      if (starter.isPending || job?.state === 'running') return;
      starter.mutate({ filter, format });
    },
    [starter, job?.state],
  );

  const cancel = useCallback(() => {
    if (job && job.state === 'running' && !canceller.isPending) canceller.mutate({ jobId: job.jobId });
  }, [canceller, job]);

  return {
    job,
    download: wanted && file.data ? file.data : null,
    preparing: wanted && file.isFetching,
    starting: starter.isPending ? (starter.variables?.format ?? null) : null,
    cancelling: canceller.isPending,
    start,
    cancel,
  };
}
