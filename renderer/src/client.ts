/**
 * The renderer's only way to reach the main process: one typed client derived from the contract in
 * shared/. Two transports sit behind it, chosen once at start-up:
 *  - Electron: the preload's `window.desk` (IPC);
 *  - browser host (`desk serve`): POST /api/invoke/<channel> and server-sent events from /api/events.
 * The session lives in the Electron window or an HttpOnly cookie; the renderer never sees a token.
 */
import type { ChannelName, EventName, Events, InputOf, ResultOf } from '../../shared/contract';
import { isEventName } from '../../shared/events';
import { DeskError, isWireError, type WireResult } from '../../shared/errors';
import type { DeskBridge } from './global';

export const HOST_TOKEN_MESSAGE = 'This page needs the address printed by `desk serve`.';

/** True when a call failed because the browser page has no valid host token (not a signed-out session). */
export function isHostTokenError(err: unknown): boolean {
  return err instanceof DeskError && err.details?.['hostToken'] === true;
}

export interface CallOptions {
  /** Cancels the call (the browser host's request is aborted; an IPC answer is ignored). */
  signal?: AbortSignal | undefined;
}

interface Transport {
  readonly kind: 'electron' | 'browser';
  invoke(channel: string, input: unknown, opts?: CallOptions): Promise<WireResult<unknown>>;
  on(event: string, cb: (payload: unknown) => void): () => void;
}

function isWireResult(value: unknown): value is WireResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && isWireError(v.error);
}

const BAD_REPLY: WireResult<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'MFA Desk sent a reply the app does not understand.' },
};

function electronTransport(bridge: DeskBridge): Transport {
  return {
    kind: 'electron',
    async invoke(channel, input, opts) {
      try {
        const reply: unknown = await bridge.invoke(channel, input);
        opts?.signal?.throwIfAborted();
        return isWireResult(reply) ? reply : BAD_REPLY;
      } catch (err) {
        if (opts?.signal?.aborted) throw err;
        return { ok: false, error: { code: 'UNAVAILABLE', message: 'MFA Desk did not answer. Restart the app and try again.' } };
      }
    },
    on: (event, cb) => bridge.on(event, cb),
  };
}

function browserTransport(): Transport {
  // One EventSource, opened while anyone listens and closed when the last listener leaves, so the
  // stream is always opened with the current session cookie.
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const dispatchers = new Map<string, (e: MessageEvent) => void>();

  function ensureSource(): EventSource {
    if (!source) {
      source = new EventSource('/api/events');
      for (const [event, fn] of dispatchers) source.addEventListener(event, fn as EventListener);
    }
    return source;
  }

  return {
    kind: 'browser',
    async invoke(channel, input, opts) {
      let res: Response;
      try {
        res = await fetch('/api/invoke/' + encodeURIComponent(channel), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          credentials: 'same-origin',
          ...(opts?.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        // A cancelled call is not a failure: the caller asked for it (TanStack Query drops it).
        if (opts?.signal?.aborted) throw err;
        return {
          ok: false,
          error: { code: 'UNAVAILABLE', message: 'MFA Desk is not reachable. Check that `desk serve` is still running.' },
        };
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        body = undefined;
      }
      opts?.signal?.throwIfAborted();
      if (isWireResult(body)) return body;
      if (res.status === 401) {
        return { ok: false, error: { code: 'UNAUTHENTICATED', message: HOST_TOKEN_MESSAGE, details: { hostToken: true } } };
      }
      return BAD_REPLY;
    },
    on(event, cb) {
      let set = listeners.get(event);
      if (!set) {
        const subscribers = new Set<(payload: unknown) => void>();
        set = subscribers;
        listeners.set(event, subscribers);
        const dispatch = (e: MessageEvent) => {
          let payload: unknown;
          try {
            payload = JSON.parse(String(e.data));
          } catch {
            return;
          }
          for (const fn of [...subscribers]) fn(payload);
        };
        dispatchers.set(event, dispatch);
        source?.addEventListener(event, dispatch as EventListener);
      }
      set.add(cb);
      ensureSource();
      return () => {
        const current = listeners.get(event);
        if (!current?.delete(cb)) return;
        if (current.size === 0) {
          listeners.delete(event);
          const dispatch = dispatchers.get(event);
          dispatchers.delete(event);
          if (dispatch) source?.removeEventListener(event, dispatch as EventListener);
        }
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}

const transport: Transport = typeof window !== 'undefined' && window.desk ? electronTransport(window.desk) : browserTransport();

export const transportKind = transport.kind;

/** Call a channel of the contract. Resolves with its result or throws a DeskError. */
export async function invoke<K extends ChannelName>(channel: K, input: InputOf<K>, opts?: CallOptions): Promise<ResultOf<K>> {
  const reply = await transport.invoke(channel, input, opts);
  if (reply.ok) return reply.value as ResultOf<K>;
  throw new DeskError(reply.error.code, reply.error.message, reply.error.details);
}

/** Listen to a push event from the main process. Returns the function that stops listening. */
export function on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void {
  if (!isEventName(event)) return () => {};
  return transport.on(event, (payload) => cb(payload as Events[E]));
}

export type Invoke = typeof invoke;
