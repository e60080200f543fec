/** What a simulator can be told to do; `resolveSimulatorOptions` in `resolve-options.ts` checks it. */
import type { ResolvedBatchOptions, SimulatorBatchOptions } from './batch/options.js';

/** Go durations (`1m30.5s`, OpenAI's), plain seconds (`90.5`), or RFC 3339 instants (Anthropic's). */
export type ResetFormat = 'duration' | 'seconds' | 'timestamp';

/**
 * Time for the simulator. Only `now` is required (the rate-limit buckets read it); when `setTimer`
 * is there too (a `Clock` from `src/clock.ts`, or a manual test clock), latencies and hangs are timed
 * with it instead of `setTimeout`, so a test can drive the whole simulator by hand.
 */
export interface SimulatorClock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; the returned function cancels it. */
  setTimer?(fn: () => void, ms: number): () => void;
}

/** Probability (0..1) of each fault for an admitted request; the rates must add up to at most 1. */
export interface SimulatorFaults {
  /** A 500 with an OpenAI-shaped `server_error` body. @default 0 */
  readonly serverError?: number;
  /** A 503 (overloaded) with an OpenAI-shaped `server_error` body. @default 0 */
  readonly unavailable?: number;
  /** The connection is reset before any answer. @default 0 */
  readonly reset?: number;
  /** No answer at all until the client gives up (or `hangMs` passes). @default 0 */
  readonly hang?: number;
  /** A 200 whose JSON body is cut short (or, when streaming, an SSE event with broken JSON). @default 0 */
  readonly malformed?: number;
}

export type FaultKind = keyof SimulatorFaults;

export interface SimulatorOptions {
  /** Clock for the rate-limit buckets (and timers when it has `setTimer`). @default `performance.now` */
  readonly clock?: SimulatorClock;
  /** Seeds the answers, the latency draws and the fault draws. @default 1 */
  readonly seed?: number;
  /** Requests per minute; `undefined` means unlimited. @default undefined */
  readonly rpm?: number | undefined;
  /** Tokens (prompt + reserved completion) per minute; `undefined` means unlimited. @default undefined */
  readonly tpm?: number | undefined;
  /**
   * How much of a minute's allowance the buckets hold, in milliseconds of refill: 1000 spreads the
   * minute, 60000 is a bucket that holds the whole minute. A request larger than the token bucket
   * gets a 429 with `x-should-retry: false` and a "Request too large" body. @default 1000
   */
  readonly burstWindowMs?: number;
  /** Sends `x-ratelimit-limit-*`; false sends only remaining and reset, as Azure does. @default true */
  readonly limitHeaders?: boolean;
  /**
   * How `x-ratelimit-reset-*` is written: Go durations (`1m30.5s`, OpenAI's), plain seconds
   * (`90.5`), or RFC 3339 instants (`2025-06-01T12:00:40.5Z`, Anthropic's). @default 'duration'
   */
  readonly resetFormat?: ResetFormat;
  /**
   * Sends this as every `x-ratelimit-reset-*` instead of the time until the bucket is full, like a
   * server that reports the end of a long window (ms). @default undefined
   */
  readonly fixedResetMs?: number | undefined;
  /** 429s carry `retry-after` and `retry-after-ms`; false sends the `x-ratelimit-*` headers only. @default true */
  readonly retryAfter?: boolean;
  /** Median time before the answer (or the first streamed chunk), in milliseconds. @default 400 */
  readonly latencyMedianMs?: number;
  /** Sigma of the lognormal latency around the median; 0 gives a fixed latency. @default 0 */
  readonly latencySpread?: number;
  /** Extra milliseconds per completion token, the pace of a stream. @default 0 */
  readonly msPerOutputToken?: number;
  /** Rough length of a free-text answer, in tokens. @default 20 */
  readonly outputTokens?: number;
  /**
   * Free-text answers are `outputTokens` times a factor drawn evenly from 1 ± this (0.3: ±30%),
   * so that a client's estimate of an answer's length is off the way a real model's is. @default 0
   */
  readonly outputTokensSpread?: number;
  /** Fault rates per admitted request. @default {} (no faults) */
  readonly faults?: SimulatorFaults;
  /** When set, requests need `Authorization: Bearer <apiKey>`. @default undefined (no auth) */
  readonly apiKey?: string | undefined;
  /** Models served and listed by `GET /v1/models`; an empty list accepts any model. @default DEFAULT_MODELS */
  readonly models?: readonly string[];
  /** Every chat request gets the 429 `insufficient_quota` answer. @default false */
  readonly quotaExhausted?: boolean;
  /** Largest prompt + `max_tokens`, in tokens. @default 128000 */
  readonly contextWindow?: number;
  /** How long a hung request is held before its connection is dropped, in milliseconds. @default 600000 */
  readonly hangMs?: number;
  /**
   * The Batch APIs (OpenAI Files and Batches, Anthropic Message Batches): how fast batch time runs,
   * how long each step takes, the enqueued-token limit and scripted faults. @default {}
   */
  readonly batches?: SimulatorBatchOptions;
  /** Models the Anthropic endpoints (`/v1/messages`, batches) serve; an empty list accepts any. @default DEFAULT_ANTHROPIC_MODELS */
  readonly anthropicModels?: readonly string[];
  /**
   * The Unix time, in milliseconds, that the clock's reading when the simulator is made stands for:
   * batch timestamps and Anthropic's RFC 3339 resets count from it. @default Date.now()
   */
  readonly epochMs?: number;
}

/** The options after defaults: every field present (`rpm`, `tpm` and `apiKey` may stay undefined). */
export interface ResolvedSimulatorOptions {
  readonly clock: SimulatorClock;
  readonly seed: number;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly burstWindowMs: number;
  readonly limitHeaders: boolean;
  readonly resetFormat: ResetFormat;
  readonly fixedResetMs: number | undefined;
  readonly retryAfter: boolean;
  readonly latencyMedianMs: number;
  readonly latencySpread: number;
  readonly msPerOutputToken: number;
  readonly outputTokens: number;
  readonly outputTokensSpread: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly apiKey: string | undefined;
  readonly models: readonly string[];
  readonly quotaExhausted: boolean;
  readonly contextWindow: number;
  readonly hangMs: number;
  readonly batches: ResolvedBatchOptions;
  readonly anthropicModels: readonly string[];
  readonly epochMs: number;
}

export const DEFAULT_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-4.1',
  'o4-mini',
];

export const DEFAULT_ANTHROPIC_MODELS: readonly string[] = [
  'claude-sonnet-4-6',
  'claude-opus-4-8',
  'claude-haiku-4-5',
  'claude-sonnet-5',
  'claude-opus-5',
  'claude-sonnet-4-5',
];

/** Order matters: it is the order in which one uniform draw is split between the faults. */
export const FAULT_KINDS: readonly FaultKind[] = ['serverError', 'unavailable', 'reset', 'hang', 'malformed'];
