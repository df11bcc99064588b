/** Desk-wide settings an admin reads. */
import { channel, empty, type ChannelMap } from './spec';
import type { DataKeyView } from '../domain';


export const settingsChannels = {
  'settings.dataKey': channel<DataKeyView>()({
    input: empty,
    access: 'desk.administer',
    summary: 'Where this desk keeps the data key that seals secrets (the OS keychain or the 0600 key file), and why not the keychain when it could not be had.',
  }),
} as const satisfies ChannelMap;
