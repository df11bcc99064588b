import type { WireResult } from '../../shared/errors';

/** What the Electron preload exposes on window (see electron/preload/index.ts). Absent in a browser. */
export interface DeskBridge {
  invoke(channel: string, input: unknown): Promise<WireResult<unknown>>;
  on(event: string, cb: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    desk?: DeskBridge;
  }
}
