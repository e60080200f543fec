import type { ResponseCache } from '../cache/store.js';
import type { Provider } from '../providers/types.js';
import type { BatchRemote } from './remote.js';

/** What the Batch API executor is told. Durations in ms. */
export interface BatchApiOptions {
  /** Whose Batch API answers: its request bodies, its answers, and its SDK client. */
  readonly provider: Provider;
  /** The model of items that name none. */
  readonly model: string;
  /** How often each batch is looked at, give or take a tenth (jitter). @default 60000 */
  readonly pollMs?: number | undefined;
  /** Batches a line may go through, the first included. @default 3 */
  readonly maxAttempts?: number | undefined;
  /**
   * Prompt tokens this account may have enqueued per model at once. The API does not report it;
   * a batch that fails with `token_limit_exceeded` lowers it for the rest of the run (journaled).
   * @default undefined (no limit until a batch is refused)
   */
  readonly enqueuedTokens?: number | undefined;
  /**
   * Submit every batch, then end: the items are given back (`detached`) and a rerun collects the
   * answers. @default false
   */
  readonly detach?: boolean | undefined;
  /** How long the input may stay quiet before the items read so far go in a batch. @default 2000 */
  readonly collectMs?: number | undefined;
  /** For the poll jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
  /**
   * A response cache: lines it answers are not uploaded (record `cached: true`, cost 0), and
   * every answer a batch brings back is stored, where realtime calls find it too. @default none
   */
  readonly cache?: ResponseCache | undefined;
  /** The batch endpoints to use instead of the provider's SDK client's (tests). */
  readonly remote?: BatchRemote | undefined;
}
