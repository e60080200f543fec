/** Round steps for chart axes: values on 1, 2 or 5 times a power of ten, times on round durations. */

/** A round step for about `target` ticks over `span`: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

const TIME_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** A tick step for a time axis of `span` ms with about `target` ticks, on round durations. */
export function timeStep(span: number, target = 8): number {
  const raw = span / target;
  return TIME_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000;
}
