/**
 * Ctrl-C and SIGTERM as the CLI's two stop signals (see `CliIO`). The first stops new work and lets
 * calls in flight finish; the second cancels them, and the command still prints its summary and
 * resume hint before it returns 130. Only if it has not returned `fallbackMs` after the second
 * (or at a third) does the process exit on its own, so that a stuck command can always be quit.
 */
import { EXIT } from './exit-codes.js';

export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface StopSignalOptions {
  /** Where the notices go (stderr). */
  readonly write: (text: string) => void;
  /** Ends the process: `process.exit`, injected by tests. */
  readonly exit: (code: number) => void;
  /** How long the command gets after the second signal before the process exits anyway (ms). @default 5000 */
  readonly fallbackMs?: number;
  readonly setTimer?: (fn: () => void, ms: number) => { unref?(): unknown };
}

export interface StopSignals {
  /** Aborted at the first signal. */
  readonly signal: AbortSignal;
  /** Aborted at the second. */
  readonly hardSignal: AbortSignal;
  /** Stops listening (the command has returned). */
  dispose(): void;
}

export function stopSignals(source: SignalSource, options: StopSignalOptions): StopSignals {
  const { write, exit, fallbackMs = 5000, setTimer = setTimeout } = options;
  const soft = new AbortController();
  const hard = new AbortController();
  let received = 0;
  const onSignal = () => {
    received++;
    if (received === 1) {
      write('\nvolley: stopping: finishing calls in flight; press Ctrl-C again to quit\n');
      soft.abort();
    } else if (received === 2) {
      write('\nvolley: quitting: cancelling calls in flight\n');
      hard.abort();
      // Not kept alive by this timer: it only matters if something else holds the process open.
      setTimer(() => exit(EXIT.interrupted), fallbackMs).unref?.();
    } else {
      exit(EXIT.interrupted);
    }
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    signal: soft.signal,
    hardSignal: hard.signal,
    dispose() {
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}
