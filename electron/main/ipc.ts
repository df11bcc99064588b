import { CHANNEL_NAMES } from '../../shared/contract';
import { IPC_PREFIX, type EventName, type Events } from '../../shared/events';
import type { WireResult } from '../../shared/errors';
import type { Router, SessionSlot } from '../core/ipc/router';
import { isAppUrl } from './security';

/** The parts of Electron's IPC this module touches (a fake stands in for it in unit tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}
export interface InvokeEventLike {
  sender: WebContentsLike;
  senderFrame: { url: string; parent: unknown } | null;
}

const FORBIDDEN_SENDER: WireResult<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Calls are accepted only from MFA Desk’s own window.' },
};

/**
 * One ipcMain.handle per channel of the contract. Each call is checked to come from the app's
 * own top-level frame (app://desk) and then goes through the same router as the browser host.
 * Sessions are held per window, so the renderer never sees a token.
 */
export function registerContract(
  ipcMain: IpcMainLike,
  router: Router,
  onWindowClosed?: (sessionToken: string) => Promise<void>,
): { dispose(): void } {
  const sessions = new Map<number, string>();
  const watched = new Set<number>();
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(IPC_PREFIX + channel, async (event, payload) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isAppUrl(frame.url)) return FORBIDDEN_SENDER;
      const sender = event.sender;
      if (!watched.has(sender.id)) {
        watched.add(sender.id);
        // A closed window's session ends with it (signed out and audited), never lingers.
        sender.once('destroyed', () => {
          watched.delete(sender.id);
          const token = sessions.get(sender.id);
          sessions.delete(sender.id);
          if (token) void onWindowClosed?.(token);
        });
      }
      const slot: SessionSlot = {
        get: () => sessions.get(sender.id),
        set: (t) => (t ? sessions.set(sender.id, t) : sessions.delete(sender.id)),
      };
      const emit = <E extends EventName>(name: E, data: Events[E]) => {
        if (!sender.isDestroyed()) sender.send(IPC_PREFIX + 'event:' + name, data);
      };
      return router.invoke(channel, payload, { slot, emit });
    });
  }
  return {
    dispose() {
      for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(IPC_PREFIX + channel);
      sessions.clear();
    },
  };
}
