/** The app's own state, before and after sign-in. */
import { channel, empty, type ChannelMap } from './spec';
import type { AppStatus } from '../domain';


export const appChannels = {
  'app.status': channel<AppStatus>()({
    input: empty,
    access: 'public',
    summary: 'Product, database and session state; whether the first admin must be created.',
  }),
} as const satisfies ChannelMap;
