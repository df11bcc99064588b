/** Push events from the main process to the renderer, and the channel-name shape. No zod here, so
 * the sandboxed preload can import it without pulling in the schemas. */
export interface Events {
  progress: { task: string; done: number; total: number };
}
export type EventName = keyof Events;
export const EVENT_NAMES = ['progress'] as const satisfies readonly EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** Channel names look like `area.action`; Electron IPC carries them with this prefix. */
export const IPC_PREFIX = 'desk:';
export const CHANNEL_NAME_RE = /^[a-z]+(?:\.[A-Za-z]+)+$/;
