/**
 * Time as the scheduler sees it. Injected everywhere a delay or a timestamp matters so that
 * tests can drive time by hand instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; the returned function cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** Read once: `performance.timeOrigin` is a getter, and `now()` runs several times per call. */
const ORIGIN = performance.timeOrigin;

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
