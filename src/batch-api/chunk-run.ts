/**
 * One batch's life: its file uploaded (OpenAI), the batch created once the enqueued-token limit
 * has room, polled until it ends (a cancel asked on the way), its results downloaded from every
 * file it left, and each member settled. Every remote call is journaled before (the plan, the
 * file, a cancel asked) and after (file, batch, status, downloaded, merged), so a rerun takes up
 * the batch where this one left it and never uploads or creates it again.
 */
import { VolleyError } from '../errors.js';
import { shouldRetry } from '../retry/decide.js';
import type { BatchEntry } from './entries.js';
import type { Member } from './member.js';
import type { BatchRemote, BatchView, LineResult } from './remote.js';

export interface ChunkHost {
  readonly remote: BatchRemote;
  now(): number;
  note(entry: BatchEntry): Promise<void>;
  /** Resolves after a poll interval (jittered), or `ms`, or at once when `wake` is called. */
  sleep(ms: number | undefined, wake: (resolve: () => void) => void): Promise<void>;
  /** The run stops taking work: no upload or create starts. */
  readonly stopping: boolean;
  /** Resolves once the model's enqueued-token limit has room for `tokens` more, and holds them. */
  room(model: string, tokens: number): Promise<void>;
  /** Tokens this run holds enqueued on the model went up (a batch taken up again) or down (ended). */
  enqueued(model: string, delta: number): void;
  /** Something the status line shows changed. */
  changed(): void;
  settle(member: Member, result: LineResult, chunk: ChunkRun): void;
  /** The batch failed validation on the enqueued-token limit: nothing ran. */
  tokenLimited(chunk: ChunkRun): void;
}

/** Retryable failures of one remote step (a 5xx, a dropped connection) tried again, at most. */
const STEP_RETRIES = 5;
/** How often a batch being cancelled is looked at, at most (ms). */
const CANCEL_POLL_MS = 5_000;

export class ChunkRun {
  readonly members = new Map<number, Member>();
  file: string | undefined;
  batch: string | undefined;
  view: BatchView | undefined;
  /** Clock time the batch was created (or the plan, for a batch an earlier invocation created). */
  startedAt: number;
  /** An earlier invocation merged its results: only its answers are taken, failures are sent again. */
  readonly merged: boolean;
  #results: Map<number, LineResult> | undefined;
  #cancel: 'no' | 'wanted' | 'asked' = 'no';
  #wake: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly tokens: number,
    private readonly host: ChunkHost,
    stored: { file?: string | undefined; batch?: string | undefined; at: number; merged?: boolean },
  ) {
    this.merged = stored.merged ?? false;
    this.file = stored.file;
    this.batch = stored.batch;
    this.startedAt = stored.at;
  }

  get created(): boolean {
    return this.batch !== undefined;
  }

  /** A member of a batch an earlier invocation created, as its item arrives. */
  attach(index: number, member: Member): void {
    this.members.set(index, member);
    const result = this.#results?.get(index);
    if (this.#results)
      this.host.settle(member, result ?? notInResults(this.view!, index, member.item.line), this);
  }

  /** Asks the batch to stop; what it answered is still read and merged. */
  cancel(): void {
    if (this.#cancel === 'no') this.#cancel = 'wanted';
    this.#wake?.();
  }

  /**
   * `unsent` when the run stopped before the batch was created; `replan` when it failed on the
   * enqueued-token limit. Rejects when a step fails for good, or the run halted.
   */
  async run(): Promise<'merged' | 'unsent' | 'replan'> {
    const { host } = this;
    const { remote } = host;
    if (this.batch === undefined) {
      if (host.stopping) return 'unsent';
      const lines = [...this.members].map(([index, m]) => remote.line(`i${index}`, m.body));
      if (remote.upload && this.file === undefined) {
        const upload = remote.upload.bind(remote);
        this.file = await this.#step(
          () => upload(this.id, lines),
          () => remote.findFile?.(this.id) ?? Promise.resolve(undefined),
        );
        await host.note({ b: 'file', c: this.id, file: this.file });
      }
      await host.room(this.model, this.tokens);
      if (host.stopping) {
        host.enqueued(this.model, -this.tokens);
        return 'unsent';
      }
      const input = { file: this.file, lines };
      const hint = { file: this.file, size: lines.length, after: this.startedAt };
      try {
        this.view = await this.#step(
          () => remote.create(this.id, input),
          () => remote.findBatch(this.id, hint),
        );
      } catch (error) {
        host.enqueued(this.model, -this.tokens);
        throw error;
      }
      this.batch = this.view.id;
      this.startedAt = host.now();
      await host.note({ b: 'batch', c: this.id, id: this.batch });
      host.changed();
    } else {
      host.enqueued(this.model, this.tokens);
    }
    await this.#poll(this.batch);
    const view = this.view!;
    if (view.failure?.some((f) => f.code === 'token_limit_exceeded')) {
      await host.note({ b: 'dropped', c: this.id, why: 'token_limit_exceeded' });
      host.tokenLimited(this);
      return 'replan';
    }
    const results = new Map<number, LineResult>();
    let ok = 0;
    for await (const [customId, result] of remote.results(view)) {
      const index = Number(customId.slice(1));
      if (customId[0] !== 'i' || !Number.isInteger(index)) continue; // not a line Volley wrote
      results.set(index, result);
      if (result.ok) ok++;
    }
    await host.note({ b: 'downloaded', c: this.id, ok, failed: results.size - ok });
    this.#results = results;
    for (const [index, member] of this.members)
      host.settle(member, results.get(index) ?? notInResults(view, index, member.item.line), this);
    await host.note({ b: 'merged', c: this.id });
    host.changed();
    return 'merged';
  }

  async #poll(id: string): Promise<void> {
    const { host } = this;
    // A batch taken up from an earlier invocation is looked at at once.
    let wait = this.view !== undefined;
    try {
      while (!this.view?.ended) {
        if (wait)
          await host.sleep(this.#cancel === 'asked' ? CANCEL_POLL_MS : undefined, (wake) => {
            this.#wake = wake;
          });
        this.#wake = undefined;
        wait = true;
        if (this.#cancel === 'wanted') {
          await host.note({ b: 'cancel', c: this.id });
          await this.#step(() => this.host.remote.cancel(id));
          this.#cancel = 'asked';
          await host.note({ b: 'cancelled', c: this.id });
        }
        const view = await this.#step(() => host.remote.retrieve(id), undefined, Number.POSITIVE_INFINITY);
        if (view === undefined) continue; // Anthropic may not know a batch just created
        if (view.status !== this.view?.status) {
          const { total, done, failed } = view.counts;
          await host.note({ b: 'status', c: this.id, s: view.status, n: [total, done, failed] });
        }
        this.view = view;
        host.changed();
      }
    } finally {
      host.enqueued(this.model, -this.tokens);
    }
  }

  /**
   * One remote step, tried again after a poll interval when it failed in a way that may pass;
   * before trying again, `recover` asks whether the failed try took effect after all.
   */
  async #step<T>(
    what: () => Promise<T>,
    recover?: () => Promise<T | undefined>,
    tries = STEP_RETRIES,
  ): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        if (failures > 0 && recover) {
          const found = await recover();
          if (found !== undefined) return found;
        }
        return await what();
      } catch (error) {
        if (!(error instanceof VolleyError) || !shouldRetry(error) || failures >= tries) throw error;
        await this.host.sleep(undefined, () => {});
      }
    }
  }
}

/** A member the ended batch has no line for: failed validation on its line, or never run. */
function notInResults(view: BatchView, index?: number, line?: number): LineResult {
  const own = view.failure?.find((f) => f.line !== null && f.line === (index ?? -1) + 1);
  if (own) {
    const message = `Line ${line} of the input (line ${own.line} of batch ${view.id}'s file) failed validation: ${own.message}`;
    return { ok: false, error: new VolleyError('batch_failed', message, { retryable: false }) };
  }
  const failed = view.failure?.[0];
  if (failed) {
    const message = `Batch ${view.id} failed validation (${failed.code}: ${failed.message}); the line was not run.`;
    return { ok: false, error: new VolleyError('batch_failed', message, { retryable: true }) };
  }
  const message = `Batch ${view.id} ended (${view.status}) without a result for this line; a new batch may answer it.`;
  return { ok: false, error: new VolleyError('batch_expired', message, { retryable: true }) };
}
