/**
 * How a feature declares a channel: its input schema (parsed in the main process before any
 * handler runs), its result type, and who may call it. shared/contract.ts assembles the features'
 * maps into the one contract.
 */
import { z } from 'zod';
import type { Capability } from '../policy';

/** `public`: no session needed; `signedIn`: any desk user; otherwise the capability it needs. */
export type Access = 'public' | 'signedIn' | Capability;

export interface ChannelSpec<I extends z.ZodType = z.ZodType, R = unknown, A extends Access = Access> {
  readonly input: I;
  readonly access: A;
  readonly summary: string;
  /** Phantom field carrying the result type; never set at run time. */
  readonly result?: R;
}

/** A feature's channels: name → spec. */
export type ChannelMap = Record<string, ChannelSpec>;

export const channel =
  <R>() =>
  <I extends z.ZodType, A extends Access>(spec: { input: I; access: A; summary: string }): ChannelSpec<I, R, A> =>
    spec;

/** No input at all. */
export const empty = z.object({}).strict();

/** What the caller sends (before defaults are applied). */
export type SpecInput<S> = S extends ChannelSpec<infer I> ? z.input<I> : never;
/** What the handler receives (after parsing and defaults). */
export type SpecParsedInput<S> = S extends ChannelSpec<infer I> ? z.output<I> : never;
export type SpecResult<S> = S extends ChannelSpec<z.ZodType, infer R> ? R : never;
/** Whether a channel needs a signed-in desk user (every channel but the public ones). */
export type SpecNeedsSession<S> = S extends { access: 'public' } ? false : true;
