/** Small numeric helpers for the report: time buckets, time-weighted sums, percentiles, intervals. */

/** Bucket widths tried in order (ms): the first that gives at most `maxBuckets` buckets wins. */
const BUCKET_SIZES = [
  50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** A bucket width for a run of `durationMs`, and how many buckets cover it. */
export function chooseBuckets(durationMs: number, maxBuckets = 120): { size: number; count: number } {
  const span = Math.max(1, durationMs);
  for (const size of BUCKET_SIZES) {
    const count = Math.ceil(span / size);
    if (count <= maxBuckets) return { size, count };
  }
  const size = Math.ceil(span / maxBuckets);
  return { size, count: Math.ceil(span / size) };
}

/** Index of the bucket holding time `t`, clamped to the buckets there are. */
export function bucketOf(t: number, size: number, count: number): number {
  const i = Math.floor(t / size);
  return i < 0 ? 0 : i >= count ? count - 1 : i;
}

/**
 * Sums, per bucket, how much of the bucket each added interval covers (ms), in constant time per
 * interval: whole buckets go through a difference array that `finish` adds up.
 */
export class Coverage {
  readonly #partial: Float64Array;
  readonly #whole: Float64Array;

  constructor(
    readonly size: number,
    readonly count: number,
  ) {
    this.#partial = new Float64Array(count);
    this.#whole = new Float64Array(count + 1);
  }

  add(from: number, to: number, weight = 1): void {
    const end = this.size * this.count;
    const a = Math.max(0, from);
    const b = Math.min(end, to);
    if (!(b > a)) return;
    const i = Math.min(this.count - 1, Math.floor(a / this.size));
    const j = Math.min(this.count - 1, Math.floor(b / this.size));
    if (i === j) {
      this.#partial[i]! += (b - a) * weight;
      return;
    }
    this.#partial[i]! += ((i + 1) * this.size - a) * weight;
    this.#partial[j]! += (b - j * this.size) * weight;
    if (j > i + 1) {
      this.#whole[i + 1]! += this.size * weight;
      this.#whole[j]! -= this.size * weight;
    }
  }

  /** Covered milliseconds per bucket. */
  finish(): Float64Array {
    const out = new Float64Array(this.count);
    let running = 0;
    for (let k = 0; k < this.count; k++) {
      running += this.#whole[k]!;
      out[k] = this.#partial[k]! + running;
    }
    return out;
  }
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles; undefined for no values. Sorts `values` in place. */
export function percentiles(values: Float64Array | number[]): Percentiles | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = values instanceof Float64Array ? values.sort() : Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += sorted[k]!;
  return { count: n, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[n - 1]!, mean: sum / n };
}

/** A growable list of numbers without boxing each one. */
export class NumberList {
  #data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.length++] = value;
  }

  values(): Float64Array {
    return this.#data.subarray(0, this.length);
  }
}

/** Sorted, disjoint `[from, to)` intervals from any list of them. */
export function mergeIntervals(intervals: Array<readonly [number, number]>): Array<[number, number]> {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Cuts `[from, to)` by sorted disjoint `intervals`: the pieces inside them and outside them, in
 * time order, as `[inside, from, to]`.
 */
export function splitByIntervals(
  from: number,
  to: number,
  intervals: ReadonlyArray<readonly [number, number]>,
): Array<[boolean, number, number]> {
  const out: Array<[boolean, number, number]> = [];
  if (!(to > from)) return out;
  // First interval that ends after `from`.
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid]![1] <= from) lo = mid + 1;
    else hi = mid;
  }
  let at = from;
  for (let k = lo; k < intervals.length && at < to; k++) {
    const [a, b] = intervals[k]!;
    if (a >= to) break;
    if (a > at) {
      out.push([false, at, a]);
      at = a;
    }
    const end = Math.min(b, to);
    if (end > at) {
      out.push([true, at, end]);
      at = end;
    }
  }
  if (at < to) out.push([false, at, to]);
  return out;
}
