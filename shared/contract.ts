/**
 * The one contract between the renderer and the main process (Electron IPC or the browser host),
 * assembled from the features' channel maps in shared/channels/. Main-side handlers are
 * type-checked against it and the renderer client derives its types from it.
 */
import type { z } from 'zod';
import { appChannels } from './channels/app';
import { auditChannels } from './channels/audit';
import { authChannels } from './channels/auth';
import { demoChannels } from './channels/demo';
import { deskUserChannels } from './channels/deskusers';
import { dashboardChannels } from './channels/dashboard';
import { employeePageChannels } from './channels/employee-page';
import { employeesChannels } from './channels/employees';
import { hrChannels } from './channels/hr';
import { mailChannels } from './channels/mail';
import { mfaChannels } from './channels/mfa';
import { portalChannels } from './channels/portal';
import { recordsChannels } from './channels/records';
import { settingsChannels } from './channels/settings';
import { ticketsChannels } from './channels/tickets';
import type { ChannelSpec, SpecResult } from './channels/spec';

export const channels = {
  ...appChannels,
  ...authChannels,
  ...employeesChannels,
  ...employeePageChannels,
  ...mfaChannels,
  ...ticketsChannels,
  ...recordsChannels,
  ...mailChannels,
  ...hrChannels,
  ...auditChannels,
  ...dashboardChannels,
  ...deskUserChannels,
  ...settingsChannels,
  ...portalChannels,
  ...demoChannels,
} as const satisfies Record<string, ChannelSpec>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** What the caller sends (before defaults are applied). */
export type InputOf<K extends ChannelName> = z.input<Channels[K]['input']>;
/** What the handler receives (after parsing and defaults). */
export type ParsedInputOf<K extends ChannelName> = z.output<Channels[K]['input']>;
export type ResultOf<K extends ChannelName> = SpecResult<Channels[K]>;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export type { Access, ChannelSpec } from './channels/spec';
export { EVENT_NAMES, type EventName, type Events } from './events';

