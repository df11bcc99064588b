/**
 * The only thing the renderer gets from the main process: one frozen object on window, with a
 * typed invoke and event subscription. Never ipcRenderer itself, never process or env.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAME_RE, IPC_PREFIX, isEventName } from '../../shared/events';

const api = Object.freeze({
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (typeof channel !== 'string' || !CHANNEL_NAME_RE.test(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'Unknown channel' } });
    }
    return ipcRenderer.invoke(IPC_PREFIX + channel, input);
  },
  on(event: string, callback: (payload: unknown) => void): () => void {
    if (!isEventName(event) || typeof callback !== 'function') return () => {};
    const listener = (_e: IpcRendererEvent, payload: unknown) => callback(payload);
    ipcRenderer.on(IPC_PREFIX + 'event:' + event, listener);
    return () => ipcRenderer.removeListener(IPC_PREFIX + 'event:' + event, listener);
  },
});

contextBridge.exposeInMainWorld('desk', api);
