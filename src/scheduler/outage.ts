/**
 * A lane's view of whether its server can be reached at all. A run of connection failures with no
 * HTTP answer between them (refused, reset, DNS) means the server is down, not that these calls are
 * bad: the lane then sends one call at a time as a probe, with backoff, and the calls waiting keep
 * their attempts. Any HTTP answer, even an error status, ends the outage. After `maxOutage` the
 * waiting calls fail with `unreachable`, whose message says what happened, for how long, and what
 * to do.
 */
import { VolleyError } from '../errors.js';
import { formatDuration } from '../format/duration.js';

/**
 * Connection failures in a row, with no HTTP answer between them, that make an outage: a few are a
 * blip (a reset, a busy machine) that a retry covers; a server that is down fails every call in
 * flight at once.
 */
const FAILURES_FOR_OUTAGE = 5;
/** The wait between probes starts here and doubles up to `MAX_PROBE_WAIT_MS`. */
const FIRST_PROBE_WAIT_MS = 250;
const MAX_PROBE_WAIT_MS = 5000;

export class Outage {
  #failures = 0;
  #firstFailureAt = 0;
  #probes = 0;
  #probing = false;
  #last: VolleyError | undefined;
  /** When the run of failures began, while the server is taken to be down. */
  since: number | undefined;
  /** The next probe may start then. */
  nextProbeAt = 0;

  constructor(private readonly maxOutage: number) {}

  /**
   * An attempt failed to connect (or, during an outage, timed out: a probe into a silent network);
   * returns true when the lane is (now) in an outage.
   */
  onConnectionFailure(error: VolleyError, now: number): boolean {
    if (this.#failures++ === 0) this.#firstFailureAt = now;
    this.#last = error;
    if (this.since === undefined && this.#failures >= FAILURES_FOR_OUTAGE) {
      this.since = this.#firstFailureAt;
      this.nextProbeAt = now + FIRST_PROBE_WAIT_MS;
    } else if (this.#probing) {
      // Only a failed probe lengthens the wait: the calls that were in flight when the outage
      // began fail together, and say nothing more.
      this.#probing = false;
      this.nextProbeAt = now + Math.min(MAX_PROBE_WAIT_MS, FIRST_PROBE_WAIT_MS * 2 ** ++this.#probes);
    }
    return this.since !== undefined;
  }

  /** A call went out as the outage's probe. */
  probeSent(): void {
    this.#probing = true;
  }

  /** The server answered: whatever the status, it can be reached. */
  onAnswer(): void {
    this.#failures = 0;
    this.#probes = 0;
    this.#probing = false;
    this.since = undefined;
  }

  /** When the waiting calls give up, while in an outage. */
  get endsAt(): number {
    return this.since === undefined ? Number.POSITIVE_INFINITY : this.since + this.maxOutage;
  }

  /** The error every waiting call gets once the outage has lasted `maxOutage`. */
  unreachable(where: string, now: number): VolleyError {
    const lasted = formatDuration(now - (this.since ?? now));
    const cause = this.#last;
    const detail = cause ? ` (last: ${cause.message})` : '';
    return new VolleyError(
      'unreachable',
      `Could not reach ${where} for ${lasted}: every attempt failed to connect${detail}. ` +
        'Check that the server is up and that the base URL and network are right, then run again ' +
        '(a batch resumes where it stopped). `maxOutage` (--max-outage) sets how long to wait.',
      { cause },
    );
  }
}
