/** The supervisors' dashboard over a period: the audit trail and the tickets counted. */
import { channel, type ChannelMap } from './spec';
import { periodSchema } from '../schemas';
import type { AuditDashboard } from '../domain';

export const dashboardChannels = {
  'audit.dashboard': channel<AuditDashboard>()({
    input: periodSchema,
    access: 'reports.read',
    summary: 'The dashboard over a period: actions per day, codes issued vs redeemed vs expired, re-registrations by reason, mail failures, actions per actor.',
  }),
} as const satisfies ChannelMap;
