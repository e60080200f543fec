/**
 * How many items the engine hands to an executor ahead of their outcomes, when the executor says
 * how many it can have under way at once (a lane's concurrency cap). Items beyond that only wait
 * in the lane's queue, and every one of them keeps its request, its job and their promises alive
 * long enough to be promoted to the old generation, which V8 then lets grow to a few times what is
 * live. (Against `volley sim` at 200,000 lines the peak RSS of the whole run did not measurably
 * change with it, 313-323 MB either way on a loaded machine: most of it is per-call garbage.)
 *
 * The margin keeps calls waiting behind the cap, so that an adaptive cap still sees that it holds
 * calls back (that is when it grows) and a freed slot never waits for the input to be read.
 */
export const WINDOW_MARGIN_MIN = 32;

/** Items handed over and without an outcome, at most: the capacity and half again (at least `WINDOW_MARGIN_MIN` more), within `ceiling`. */
export function readAhead(capacity: number, ceiling: number): number {
  const margin = Math.max(WINDOW_MARGIN_MIN, Math.ceil(capacity / 2));
  return Math.min(ceiling, Math.max(1, Math.floor(capacity)) + margin);
}
