import { FAULT_KINDS, type FaultKind } from './options.js';
import type { Random } from './rng.js';

/** One uniform draw split between the faults in `FAULT_KINDS` order; undefined means no fault. */
export function pickFault(random: Random, rates: Readonly<Record<FaultKind, number>>): FaultKind | undefined {
  const draw = random();
  let upTo = 0;
  for (const kind of FAULT_KINDS) {
    upTo += rates[kind];
    if (draw < upTo) return kind;
  }
  return undefined;
}

/**
 * How `handle` reports a connection the simulated server dropped: there is no `Response` to return.
 * It looks like the error Node's sockets raise (`code: 'ECONNRESET'`), which `fetch` wraps in a
 * `TypeError('fetch failed')` and `listen` turns into a real socket reset.
 */
export class ConnectionResetError extends Error {
  override readonly name = 'ConnectionResetError';
  readonly code = 'ECONNRESET';
  readonly errno = -104;
  readonly syscall = 'read';

  constructor(message = 'read ECONNRESET') {
    super(message);
  }
}

/** What undici's fetch throws when the socket is reset: SDKs classify it as a connection error. */
export function fetchFailed(cause: ConnectionResetError): TypeError {
  return new TypeError('fetch failed', { cause });
}
