/** One status of a batch's life and the clock ms it starts at. */
export interface Step<S extends string> {
  readonly status: S;
  readonly at: number;
}

/** The step a batch is in at `now`: the last one begun (steps are in order, the first at creation). */
export function stepAt<S extends string>(steps: readonly Step<S>[], now: number): Step<S> {
  let current = steps[0]!;
  for (const step of steps) if (step.at <= now) current = step;
  return current;
}
