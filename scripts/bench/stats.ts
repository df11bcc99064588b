import { createRandom } from '../../electron/core/demo/random';
/** Timing and statistics helpers for the benchmark. */
import { performance } from 'node:perf_hooks';

/** Milliseconds taken by fn, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Nearest-rank percentile (p in 0–100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
  min: number;
}

export function summarise(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: median(values),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : Number.NaN,
    min: values.length ? Math.min(...values) : Number.NaN,
  };
}

/** Deterministic PRNG: the same seed gives the same queries on the same data (the demo seed's own). */
export const prng = createRandom;

export function ms(v: number, digits?: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const d = digits ?? (v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0);
  return d === 0 ? `${Math.round(v).toLocaleString('en-GB')} ms` : `${v.toFixed(d)} ms`;
}

export function ratio(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 100 ? `${Math.round(v).toLocaleString('en-GB')}×` : v >= 10 ? `${v.toFixed(1)}×` : v >= 0.1 ? `${v.toFixed(2)}×` : `${v.toPrecision(2)}×`;
}

export function int(n: number): string {
  return n.toLocaleString('en-GB');
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[bench ${t}] ${message}\n`);
}

/** Let the event loop breathe and the garbage collector run between measurement phases. */
export async function settle(msDelay = 50): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, msDelay));
}
