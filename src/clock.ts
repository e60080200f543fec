/**
 * Time as the scheduler sees it. Injected everywhere a delay or a timestamp matters so that
 * tests can drive time by hand instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; the returned function cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
  /**
   * How busy this process's event loop has been lately, from 0 (idle) to 1 (never waiting for I/O).
   * Optional: a manual clock has no loop of its own, and the scheduler reads a missing one as idle,
   * so tests of timing do not depend on the machine's speed.
   */
  loopLoad?(): number;
  /**
   * A meter of the loop's load over short spans: each call of the function returned gives the
   * load since its previous call (the first, since it was made). Optional, as `loopLoad` is.
   */
  loopMeter?(): () => number;
}

/** Read once: `performance.timeOrigin` is a getter, and `now()` runs several times per call. */
const ORIGIN = performance.timeOrigin;

/** The loop's load is measured over windows of this many ms: one busy callback is not a busy loop. */
const LOAD_WINDOW_MS = 100;
let loadMark: ReturnType<typeof performance.eventLoopUtilization> | undefined;
let loadMarkAt = 0;
let load = 0;

export const systemClock: Clock = {
  // Epoch milliseconds that never step backwards: timings stay monotonic and reports get wall time.
  now: () => ORIGIN + performance.now(),
  setTimer(fn, ms) {
    // `setTimeout(fn, 0)` waits at least a millisecond; "as soon as the current work is done" is setImmediate.
    if (ms <= 0) {
      const immediate = setImmediate(fn);
      return () => clearImmediate(immediate);
    }
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
  loopLoad() {
    const at = performance.now();
    if (loadMark !== undefined && at - loadMarkAt < LOAD_WINDOW_MS) return load;
    // The first look measures since the loop started: a client busy from its first answer on (a
    // zero-latency server) is seen as busy at once, not after a window in which its cap ran away.
    const mark = performance.eventLoopUtilization();
    load = (loadMark === undefined ? mark : performance.eventLoopUtilization(mark, loadMark)).utilization;
    loadMark = mark;
    loadMarkAt = at;
    return load;
  },
  loopMeter() {
    let mark = performance.eventLoopUtilization();
    return () => {
      const next = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(next, mark);
      mark = next;
      return utilization;
    };
  },
};

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
