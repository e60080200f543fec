import { hash as cryptoHash } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Mulberry32: a tiny 32-bit generator, plenty for latencies and pseudo-words, and fully determined by
 * its seed so that a run can be replayed.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A standard normal draw (Box-Muller; the second value of the pair is dropped for simplicity). */
function normal(random: Random): number {
  // 1 - u keeps the logarithm away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A lognormal draw with the given median and sigma; sigma 0 returns the median without drawing. */
export function lognormal(random: Random, median: number, sigma: number): number {
  if (sigma === 0 || median === 0) return median;
  return median * Math.exp(sigma * normal(random));
}

/** An integer in [min, max], both ends included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * A stable digest of any JSON value, used both as the duplicate key and as the seed of an answer.
 * SHA-256 rather than a short hash: two different prompts must not be mistaken for a duplicate.
 */
export function digest(value: unknown): string {
  return cryptoHash('sha256', JSON.stringify(value), 'base64url');
}

/** A 32-bit seed that mixes the simulator's seed with a digest, so each seed gives other answers. */
export function seedFrom(seed: number, key: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 4_294_967_296);
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
