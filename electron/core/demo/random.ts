/** mulberry32: a tiny deterministic PRNG; the same seed always yields the same demo data. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

const NUMBER_SPACE = 90_000_000; // 8-digit employee numbers 10000000–99999999
const NUMBER_STRIDE = 7_919; // prime, coprime with NUMBER_SPACE: i -> number is one-to-one

/** Demo person i's employee number: different for every i below 90,000,000. */
export function demoEmployeeNumber(i: number): string {
  return String(10_000_000 + ((i * NUMBER_STRIDE) % NUMBER_SPACE));
}

/** A name's letters only, lower-case: what demo usernames and addresses are made of. */
export function nameSlug(s: string): string {
  return s.toLowerCase().replace(/[^a-z]/g, '');
}
