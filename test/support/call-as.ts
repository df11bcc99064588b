/**
 * Calls through the router as a signed-in desk user, typed from the contract: a wrong channel
 * name or input shape is a compile error, and a result comes back as the channel's result type.
 */
import type { ChannelName, InputOf, ResultOf } from '../../shared/contract';
import type { WireError, WireResult } from '../../shared/errors';
import type { Router, SessionSlot } from '../../electron/core/ipc/router';

export interface Caller {
  /** The wire result, as the renderer would receive it. */
  call: <K extends ChannelName>(channel: K, input: InputOf<K>) => Promise<WireResult<ResultOf<K>>>;
  /** The value of a call that must succeed; throws with the error's code and message otherwise. */
  ok: <K extends ChannelName>(channel: K, input: InputOf<K>) => Promise<ResultOf<K>>;
  /** The error of a call that must be refused; throws if it succeeded. */
  err: <K extends ChannelName>(channel: K, input: InputOf<K>) => Promise<WireError>;
  /** A call the contract would not let the renderer write: any channel name, any payload. */
  raw: (channel: string, payload: unknown) => Promise<WireResult<unknown>>;
}

/** `who` is a desk user fixture (or anything with its session slot), or the slot itself. */
export function callAs(core: { router: Router }, who: { slot: SessionSlot } | SessionSlot): Caller {
  const slot = 'slot' in who ? who.slot : who;
  const raw = (channel: string, payload: unknown) => core.router.invoke(channel, payload, { slot, emit: () => {} });
  // The router checks the channel and parses the input, so its result is the channel's result.
  const call = <K extends ChannelName>(channel: K, input: InputOf<K>) => raw(channel, input) as Promise<WireResult<ResultOf<K>>>;
  return {
    call,
    raw,
    ok: async (channel, input) => okValue(call(channel, input), channel),
    err: async (channel, input) => errorOf(call(channel, input), channel),
  };
}

/** The value of a wire result that must be ok; throws with the error's code and message otherwise. */
export async function okValue<T>(result: Promise<WireResult<T>>, what = 'call'): Promise<T> {
  return valueOf(await result, what);
}

/** The error of a wire result that must be a refusal; throws if it succeeded. */
export async function errorOf(result: Promise<WireResult<unknown>>, what = 'call'): Promise<WireError> {
  return refusalOf(await result, what);
}

/** okValue for a result already in hand. */
export function valueOf<T>(r: WireResult<T>, what = 'call'): T {
  if (!r.ok) throw new Error(`${what} refused: ${r.error.code} ${r.error.message}${r.error.details ? ` ${JSON.stringify(r.error.details)}` : ''}`);
  return r.value;
}

/** errorOf for a result already in hand. */
export function refusalOf(r: WireResult<unknown>, what = 'call'): WireError {
  if (r.ok) throw new Error(`${what} succeeded but should have been refused: ${JSON.stringify(r.value)}`);
  return r.error;
}
