import type { SimulatorClock } from './options.js';

/**
 * Schedules `fn` after `ms`. `background` timers (the hang bound) must not keep a process alive by
 * themselves: a test that forgets a hung request should still exit.
 */
export type SetTimer = (fn: () => void, ms: number, background?: boolean) => () => void;

/** The clock's own timers when it has them (a manual test clock), else `setTimeout`. */
export function timerFrom(clock: SimulatorClock): SetTimer {
  const { setTimer } = clock;
  if (setTimer) return (fn, ms) => setTimer.call(clock, fn, ms);
  return (fn, ms, background = false) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    if (background) handle.unref();
    return () => clearTimeout(handle);
  };
}

/** Resolves after `ms`, or rejects with the signal's reason (as fetch does) once it aborts. */
export function delay(
  setTimer: SetTimer,
  ms: number,
  signal: AbortSignal,
  background = false,
): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  // Zero latency skips the timer entirely, which keeps big fast test runs fast.
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal.reason);
    };
    const cancel = setTimer(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      background,
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
