/**
 * One invocation of the Batch API executor. Items are read as the engine hands them over; each
 * becomes a member of a batch: the batch an earlier invocation put it in (same request), taken up
 * where the journal left it, or a new one, planned once the open batch is full, the input has
 * ended, or the input stayed quiet for `collectMs`. Answers and permanent failures become
 * outcomes; lines a batch did not answer for a reason that may pass go in a new batch, up to
 * `maxAttempts` batches. A line is never in two live batches, so it is never paid twice.
 */
import { randomBytes } from 'node:crypto';
import { normalizeRequest } from '../client/normalize.js';
import { asVolleyError } from '../client/volley.js';
import { VolleyError } from '../errors.js';
import type { CallRequest } from '../providers/types.js';
import { shouldRetry } from '../retry/decide.js';
import { failureRecord } from '../run/executors/call-records.js';
import type { ExecutorContext, Outcome, WorkItem } from '../run/types.js';
import { estimateMessageTokens } from '../tokens/count.js';
import { BatchCache } from './cached.js';
import { type ChunkHost, ChunkRun } from './chunk-run.js';
import { type BatchEntry, Ledger, type StoredChunk } from './entries.js';
import { answerRecord, failedRecord, type Member } from './member.js';
import type { BatchApiOptions } from './options.js';
import { ChunkPlanner } from './plan.js';
import type { BatchRemote, LineResult } from './remote.js';
import { batchStatus } from './status.js';

type Out = Outcome<CallRequest>;

class Halted extends Error {}

export class BatchRun implements ChunkHost {
  readonly #ledger: Ledger;
  readonly #positions: ReturnType<Ledger['positions']>;
  readonly #planner: ChunkPlanner<Member>;
  readonly #limits = new Map<string, number>();
  readonly #held = new Map<string, number>();
  readonly #roomWaiters: (() => void)[] = [];
  readonly #active = new Set<ChunkRun>();
  readonly #resumed = new Map<string, ChunkRun>();
  readonly #stored = new Map<string, { chunk: StoredChunk; members: Map<number, Member> }>();
  readonly #unsettled = new Set<Member>();
  readonly #outcomes: Out[] = [];
  readonly #cache: BatchCache | undefined;
  /** Cache lookups under way: their lines are planned once they miss. */
  readonly #lookups = new Set<Promise<void>>();
  readonly #sleepers = new Set<{ done: () => void; fail: (error: Error) => void }>();
  #wakeOut: (() => void) | undefined;
  #run = '';
  #seq: number;
  #open = 0;
  #read = 0;
  #readingDone = false;
  /** Everything read has been planned (or taken up) once. */
  #collected = false;
  /** Batches waiting for the enqueued-token limit to have room. */
  #inRoom = 0;
  #stopping = false;
  #halted = false;
  /** Auto mode past its switch: lines the batches did not answer go here instead (realtime). */
  #handoff: ((item: WorkItem<CallRequest>) => void) | undefined;

  constructor(
    readonly remote: BatchRemote,
    private readonly options: BatchApiOptions,
    private readonly context: ExecutorContext,
  ) {
    this.#ledger = new Ledger(context.journal.entries);
    this.#positions = this.#ledger.positions();
    this.#seq = this.#ledger.chunks.size;
    for (const [model, tokens] of this.#ledger.limits) this.#limits.set(model, tokens);
    this.#planner = new ChunkPlanner(remote.limits, (model) => this.#limit(model));
    this.#cache = options.cache && new BatchCache(options.cache, options.provider);
  }

  get stopping(): boolean {
    return this.#stopping || this.#halted || this.#handoff !== undefined;
  }

  /** Lines taken and not yet answered, and their estimated prompt tokens. */
  get open(): { readonly lines: number; readonly tokens: number } {
    let tokens = 0;
    for (const member of this.#unsettled) tokens += member.tokens;
    return { lines: this.#unsettled.size, tokens };
  }

  /**
   * Auto mode's switch: open batches are cancelled and what they answered is merged; every line
   * without an answer (never planned, not yet created, cancelled or failed in a way that may
   * pass) goes to `handoff` instead, once, and no batch is made any more.
   */
  handOff(handoff: (item: WorkItem<CallRequest>) => void): void {
    this.#handoff = handoff;
    for (const member of this.#planner.drain()) this.#handOff(member);
    for (const { members } of this.#stored.values()) for (const m of members.values()) this.#handOff(m);
    this.#stored.clear();
    this.cancelAll();
    this.#wake();
  }

  #handOff(member: Member): void {
    if (member.settled) return;
    member.settled = true;
    this.#unsettled.delete(member);
    this.#open--;
    this.#handoff!(member.item);
    this.#wake();
  }

  now(): number {
    return this.context.clock.now();
  }

  note(entry: BatchEntry): Promise<void> {
    return this.context.journal.note(entry);
  }

  async *outcomes(items: AsyncIterable<WorkItem<CallRequest>>): AsyncGenerator<Out> {
    this.#run = this.#ledger.run ?? randomBytes(4).toString('hex');
    if (this.#ledger.run === undefined) await this.note({ b: 'run', run: this.#run });
    const quiet = this.#watchQuiet();
    const reading = this.#readAll(items).catch((error) => this.#fail(error));
    try {
      for (;;) {
        if (this.#outcomes.length > 0) {
          yield* this.#outcomes.splice(0);
          continue;
        }
        if (this.#halted || (this.#readingDone && this.#open === 0)) break;
        await new Promise<void>((resolve) => {
          this.#wakeOut = resolve;
        });
      }
      await this.#cache?.drained();
    } finally {
      quiet();
      this.halt();
      void reading;
    }
  }

  /** Stops taking work: members not in a created batch are given back; created batches go on. */
  stopQueued(): void {
    this.#stopping = true;
    for (const member of this.#planner.drain()) this.#abandon(member);
    for (const { members } of this.#stored.values()) for (const m of members.values()) this.#abandon(m);
    this.#stored.clear();
    this.#wake();
  }

  /** Gives every member back at once; the batches stay where they are for a rerun to collect. */
  halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    this.#planner.drain();
    for (const member of [...this.#unsettled]) this.#abandon(member);
    for (const sleeper of [...this.#sleepers]) sleeper.fail(new Halted());
    for (const wake of this.#roomWaiters.splice(0)) wake();
    this.#wake();
  }

  /** Asks every open batch to stop (auto mode): their answers so far are merged, the rest given back. */
  cancelAll(): void {
    for (const chunk of this.#active) chunk.cancel();
  }

  async #readAll(items: AsyncIterable<WorkItem<CallRequest>>): Promise<void> {
    for await (const item of items) {
      this.#open++;
      this.#read++;
      this.#take(item);
    }
    while (this.#lookups.size > 0) await Promise.all([...this.#lookups]);
    this.#readingDone = true;
    await this.#collect();
    this.#collected = true;
    this.#detachWhenSubmitted();
    this.#wake();
  }

  /** Plans what waits: batches of earlier invocations not yet created, then the open batches. */
  async #collect(): Promise<void> {
    const stored = [...this.#stored.values()];
    this.#stored.clear();
    for (const waiting of stored) await this.#resumeStored(waiting.chunk, waiting.members);
    for (const members of this.#planner.flush()) await this.#plan(members);
  }

  /** With nothing read for `collectMs`, the items read so far are planned (the engine may be waiting). */
  #watchQuiet(): () => void {
    let seen = -1;
    let cancel = () => {};
    const check = () => {
      if (this.#readingDone || this.#halted) return;
      // Lines still being looked up in the cache are read, not quiet: they may join this batch.
      const quietNow = seen === this.#read && this.#lookups.size === 0;
      if (quietNow && (this.#planner.size > 0 || this.#stored.size > 0))
        void this.#collect().catch((error) => this.#fail(error));
      seen = this.#read;
      cancel = this.context.clock.setTimer(check, this.options.collectMs ?? 2_000);
    };
    check();
    return () => cancel();
  }

  #take(item: WorkItem<CallRequest>): void {
    const { provider, model: defaultModel } = this.options;
    let member: Member;
    try {
      const request = normalizeRequest(item.payload, defaultModel);
      const body = provider.requestBody(request);
      const bytes = Buffer.byteLength(this.remote.line('i99999', body)) + 1;
      member = {
        item,
        body,
        model: request.model,
        bytes,
        tokens: estimateMessageTokens(request.messages).tokens,
        attempts: 0,
        settled: false,
      };
    } catch (error) {
      const record = failureRecord(
        item.line,
        item.key,
        item.payload.model ?? defaultModel,
        asVolleyError(error),
      );
      this.#emit({ item, record });
      return;
    }
    this.#unsettled.add(member);
    const { limits, kind } = this.remote;
    if (member.bytes > limits.bytes) {
      const message =
        `Line ${item.line} is ${member.bytes} bytes as a batch line; ${kind === 'anthropic' ? 'an Anthropic' : 'an OpenAI'} batch holds at most ` +
        `${limits.bytes} bytes. Shorten it, or send it with --mode realtime.`;
      this.#finish(member, {
        item,
        record: failedRecord(member, new VolleyError('request_too_large', message)),
      });
      return;
    }
    if (this.#stopping) {
      this.#abandon(member);
      return;
    }
    const at = this.#positions.get(item.key);
    if (at && !at.chunk.dropped && at.chunk.hashes[at.index] === item.hash) {
      member.attempts = at.attempts;
      if (at.chunk.batch !== undefined) {
        let chunk = this.#resumed.get(at.chunk.id);
        if (!chunk) {
          const { id, model, tokens, file, batch, merged } = at.chunk;
          chunk = new ChunkRun(id, model, tokens, this, { file, batch, at: at.chunk.at, merged });
          this.#resumed.set(id, chunk);
          this.#start(chunk);
        }
        chunk.attach(at.index, member);
        return;
      }
      const waiting = this.#stored.get(at.chunk.id) ?? { chunk: at.chunk, members: new Map() };
      this.#stored.set(at.chunk.id, waiting);
      waiting.members.set(at.index, member);
      return;
    }
    if (this.#cache) this.#fromCache(this.#cache, member);
    else this.#pool(member);
  }

  /** A new line the cache answers is never uploaded; one it does not goes to a batch. */
  #fromCache(cache: BatchCache, member: Member): void {
    const lookup = cache
      .lookup(member, () => this.now())
      .then(
        (record) => (record ? this.#finish(member, { item: member.item, record }) : this.#pool(member)),
        (error: unknown) => this.#fail(error),
      );
    this.#lookups.add(lookup);
    void lookup.finally(() => this.#lookups.delete(lookup));
  }

  #pool(member: Member): void {
    if (this.#handoff) {
      this.#handOff(member);
      return;
    }
    if (this.stopping) {
      this.#abandon(member);
      return;
    }
    const full = this.#planner.add(member);
    if (full) void this.#plan(full).catch((error) => this.#fail(error));
  }

  async #plan(members: Member[]): Promise<void> {
    if (members.length === 0) return;
    if (this.stopping) {
      for (const member of members) this.#abandon(member);
      return;
    }
    const id = `${this.#run}-${this.#seq++}`;
    const { model } = members[0]!;
    const tokens = members.reduce((sum, m) => sum + m.tokens, 0);
    const at = this.now();
    for (const member of members) member.attempts++;
    const keys = members.map((m) => m.item.key);
    const hashes = members.map((m) => m.item.hash);
    await this.note({ b: 'plan', c: id, at, model, keys, hashes, tokens });
    const chunk = new ChunkRun(id, model, tokens, this, { at });
    for (const [index, member] of members.entries()) chunk.members.set(index, member);
    this.#start(chunk);
  }

  /**
   * A batch an earlier invocation planned but did not journal as created: the file or batch it
   * may have made meanwhile is looked up (and used, never made twice); without one it is dropped
   * and its members planned again.
   */
  async #resumeStored(stored: StoredChunk, members: Map<number, Member>): Promise<void> {
    const { remote } = this;
    let file = stored.file;
    if (file === undefined && remote.findFile) file = await remote.findFile(stored.id);
    const found =
      file !== undefined || !remote.upload
        ? await remote.findBatch(stored.id, { file, size: stored.keys.length, after: stored.at })
        : undefined;
    if (file !== undefined && stored.file === undefined) await this.note({ b: 'file', c: stored.id, file });
    if (found) await this.note({ b: 'batch', c: stored.id, id: found.id });
    const whole = members.size === stored.keys.length;
    if (found || (file !== undefined && whole)) {
      const { id, model, tokens, at } = stored;
      const chunk = new ChunkRun(id, model, tokens, this, { file, batch: found?.id, at });
      for (const [index, member] of members) chunk.members.set(index, member);
      this.#start(chunk);
      return;
    }
    await this.note({ b: 'dropped', c: stored.id, why: 'no batch was created' });
    for (const member of members.values()) {
      member.attempts--;
      this.#pool(member);
    }
    for (const chunk of this.#planner.flush()) await this.#plan(chunk);
  }

  #start(chunk: ChunkRun): void {
    this.#active.add(chunk);
    this.changed();
    chunk.run().then(
      (ended) => {
        this.#active.delete(chunk);
        if (ended === 'unsent')
          for (const member of chunk.members.values())
            if (this.#handoff) this.#handOff(member);
            else this.#abandon(member);
        this.#afterChunk();
      },
      (error: unknown) => {
        this.#active.delete(chunk);
        if (this.#halted || error instanceof Halted) return;
        // A step failed for good (a bad key, a file refused): the run stops; a rerun takes it up.
        const stop = asVolleyError(error);
        for (const member of chunk.members.values()) this.#abandon(member, stop);
        this.#afterChunk();
      },
    );
  }

  /** Lines to try again go in new batches once the input has been read. */
  #afterChunk(): void {
    if (this.#readingDone && this.#planner.size > 0) void this.#collect().catch((e) => this.#fail(e));
    this.changed();
    this.#wake();
  }

  settle(member: Member, result: LineResult, chunk: ChunkRun): void {
    if (member.settled) return;
    const { item } = member;
    if (result.ok) {
      const times = { startedAt: chunk.startedAt, finishedAt: this.now() };
      const record = answerRecord(member, result, this.options.provider, this.context.pricing, times);
      if (record.error === null) this.#cache?.store(member, result, record.model ?? member.model);
      this.#finish(member, { item, record });
    } else if (chunk.merged) {
      // Failed in a batch an earlier invocation merged: the line is sent again on purpose (--retry-failed).
      member.attempts = 0;
      this.#pool(member);
    } else if (this.#handoff && shouldRetry(result.error)) {
      this.#handOff(member);
    } else if (
      shouldRetry(result.error) &&
      member.attempts < (this.options.maxAttempts ?? 3) &&
      !this.stopping
    ) {
      this.#pool(member);
    } else {
      this.#finish(member, { item, record: failedRecord(member, result.error) });
    }
  }

  tokenLimited(chunk: ChunkRun): void {
    const held = this.#held.get(chunk.model) ?? 0;
    const tokens = Math.max(1, Math.floor((held + chunk.tokens) * 0.8));
    const limit = Math.min(this.#limit(chunk.model) ?? Number.POSITIVE_INFINITY, tokens);
    this.#limits.set(chunk.model, limit);
    void this.note({ b: 'limit', model: chunk.model, tokens: limit }).catch((e) => this.#fail(e));
    for (const member of chunk.members.values()) {
      member.attempts--;
      this.#pool(member);
    }
  }

  async room(model: string, tokens: number): Promise<void> {
    for (;;) {
      const limit = this.#limit(model);
      const held = this.#held.get(model) ?? 0;
      if (this.#halted || limit === undefined || held === 0 || held + tokens <= limit) break;
      this.#inRoom++;
      this.#detachWhenSubmitted();
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      this.#inRoom--;
    }
    this.enqueued(model, tokens);
  }

  enqueued(model: string, delta: number): void {
    this.#held.set(model, (this.#held.get(model) ?? 0) + delta);
    if (delta < 0) for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  sleep(ms: number | undefined, wake: (resolve: () => void) => void): Promise<void> {
    if (this.#halted) return Promise.reject(new Halted());
    const poll = this.options.pollMs ?? 60_000;
    const random = this.options.random ?? Math.random;
    const delay = ms ?? poll * (0.9 + 0.2 * random());
    return new Promise<void>((resolve, reject) => {
      const sleeper = {
        done: () => {
          cancel();
          this.#sleepers.delete(sleeper);
          resolve();
        },
        fail: (error: Error) => {
          cancel();
          this.#sleepers.delete(sleeper);
          reject(error);
        },
      };
      const cancel = this.context.clock.setTimer(sleeper.done, delay);
      this.#sleepers.add(sleeper);
      wake(sleeper.done);
    });
  }

  changed(): void {
    this.context.status(batchStatus([...this.#active], this.now()));
    this.#detachWhenSubmitted();
  }

  /**
   * `detach`: once every batch is under way (or waits for the enqueued-token limit), the members
   * still open are given back as `detached` and the run ends; a rerun collects their answers.
   */
  #detachWhenSubmitted(): void {
    if (!this.options.detach || !this.#collected || this.#halted) return;
    if (this.#stored.size > 0 || this.#planner.size > 0) return;
    // A batch counts once this invocation has seen it under way; an ended one is merged first.
    let submitted = 0;
    for (const chunk of this.#active) if (chunk.created && chunk.view && !chunk.view.ended) submitted++;
    if (submitted + this.#inRoom < this.#active.size) return;
    for (const member of [...this.#unsettled])
      this.#finish(member, { item: member.item, abandoned: true, detached: true });
    this.halt();
  }

  #limit(model: string): number | undefined {
    const learned = this.#limits.get(model);
    const configured = this.options.enqueuedTokens;
    if (learned === undefined) return configured;
    return configured === undefined ? learned : Math.min(learned, configured);
  }

  #finish(member: Member, outcome: Out): void {
    if (member.settled) return;
    member.settled = true;
    this.#unsettled.delete(member);
    this.#emit(outcome);
  }

  #abandon(member: Member, stop?: Error): void {
    this.#finish(member, { item: member.item, abandoned: true, stop });
  }

  #emit(outcome: Out): void {
    this.#open--;
    this.#outcomes.push(outcome);
    this.#wake();
  }

  /** Something went wrong outside any one batch (the journal): every member is given back. */
  #fail(error: unknown): void {
    const stop = asVolleyError(error);
    for (const member of [...this.#unsettled]) this.#abandon(member, stop);
    this.halt();
  }

  #wake(): void {
    const wake = this.#wakeOut;
    this.#wakeOut = undefined;
    wake?.();
  }
}
