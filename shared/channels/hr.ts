/** HR imports: the upload in parts, the import job, its report. */
import { z } from 'zod';
import { channel, type ChannelMap } from './spec';
import { jobIdSchema, noControls, CONTROL_REFUSED, uploadIdSchema } from '../schemas';
import type { HrImportJobView } from '../domain';


export const hrChannels = {
  'hr.upload.begin': channel<{ uploadId: string; chunkBytes: number }>()({
    input: z
      .object({
        name: z.string().trim().min(1).max(255).refine(noControls, CONTROL_REFUSED),
        size: z.number().int().min(1).max(2 * 1024 ** 3),
      })
      .strict(),
    access: 'desk.administer',
    summary: 'Start sending an HR extract (CSV) to the main process; its parts follow with hr.upload.chunk.',
  }),
  'hr.upload.chunk': channel<{ received: number }>()({
    input: z
      .object({
        uploadId: uploadIdSchema,
        offset: z.number().int().min(0),
        // base64 of at most 512 KiB
        data: z.string().min(4).max(700_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
      })
      .strict(),
    access: 'desk.administer',
    summary: 'The next part of an uploaded HR extract, in order.',
  }),
  'hr.import.start': channel<HrImportJobView>()({
    input: z.object({ uploadId: uploadIdSchema, dryRun: z.boolean() }).strict(),
    access: 'desk.administer',
    summary: 'Import (or with dryRun, only check) the uploaded HR extract in the background.',
  }),
  'hr.import.status': channel<HrImportJobView>()({
    input: z.object({ jobId: jobIdSchema }).strict(),
    access: 'desk.administer',
    summary: 'How an HR import is going: phase, rows, rows/s, ETA, counts; the result once done.',
  }),
  'hr.import.cancel': channel<HrImportJobView>()({
    input: z.object({ jobId: jobIdSchema }).strict(),
    access: 'desk.administer',
    summary: 'Stop an HR import between batches (the batches done stay done; running it again is safe).',
  }),
  'hr.import.report': channel<{ csv: string; truncated: boolean }>()({
    input: z.object({ jobId: jobIdSchema }).strict(),
    access: 'desk.administer',
    summary: 'The line-numbered report of rejected rows and conflicts of a finished HR import.',
  }),
} as const satisfies ChannelMap;
