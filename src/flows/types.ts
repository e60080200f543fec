/** The step API a flow function receives, and the types around it. */
import type { z } from 'zod';
import type { VolleyError } from '../errors.js';
import type { CallRequest } from '../providers/types.js';

/** A prompt, or a full request (messages, model, maxTokens, ...). */
export type StepRequest = string | CallRequest;

export interface LlmOptions {
  /**
   * Added to the priority Volley gives the call. Later steps already go first: each step of depth
   * adds a quarter level, worth 500 ms of waiting. @default 0
   */
  readonly priority?: number;
  /** Per-attempt timeout (ms). @default the client's */
  readonly timeout?: number;
  /** Time budget for the whole call, queueing and retries included (ms). @default the client's */
  readonly deadline?: number;
}

export interface ParseOptions<T> extends LlmOptions {
  /** Turns the answer into a value; when it throws, the model is asked again with the error. */
  readonly parse: (text: string) => T;
  /** Times the model is asked again after an answer that does not parse. @default 2 */
  readonly maxRepairs?: number;
}

export interface SchemaOptions<S extends z.ZodType> extends LlmOptions {
  /** The answer must be JSON that this schema accepts; the step resolves with the parsed value. */
  readonly schema: S;
  /** Times the model is asked again with the validation error. @default 2 */
  readonly maxRepairs?: number;
  /**
   * How the schema reaches the model: as a `json_schema` response format, as `json_object` mode
   * plus the schema in the prompt, or in the prompt only (for servers without JSON mode).
   * @default 'schema'
   */
  readonly jsonMode?: 'schema' | 'object' | 'prompt';
}

export interface StreamOptions<T> extends LlmOptions {
  /** Turns one complete line into an item, or undefined to skip the line. @default `listItem` */
  readonly item?: (line: string) => T | undefined;
  /**
   * Reads a JSON answer instead of lines: the items are the elements of this array property of
   * the top-level object, each reported as soon as it is complete.
   */
  readonly jsonArray?: string;
  /** With `jsonArray`: asks for JSON by this schema, and the whole answer must match it. */
  readonly schema?: z.ZodType;
}

export interface MapOptions {
  /** Items of this map running at once; nested maps count their own. @default Infinity */
  readonly concurrency?: number;
}

/** How one item of a `map`/`settle` ended. */
export type StepOutcome<T> =
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly error: VolleyError }
  | { readonly status: 'cancelled'; readonly error: VolleyError };

/** One branch of `all`/`settle`: it gets its own step scope. */
export type Branch = (step: Step) => Promise<unknown>;
/** Concurrent branches, as an array (or tuple) or an object of functions. */
export type Branches = readonly Branch[] | Readonly<Record<string, Branch>>;
/** What `all` resolves with: each branch's value, in the shape of the branches. */
export type BranchValues<B> = {
  -readonly [K in keyof B]: B[K] extends (step: Step) => infer R ? Awaited<R> : never;
};
/** What `settle` resolves with: each branch's outcome, in the shape of the branches. */
export type BranchOutcomes<B> = {
  -readonly [K in keyof B]: B[K] extends (step: Step) => infer R ? StepOutcome<Awaited<R>> : never;
};

/**
 * A call whose answer is consumed line by line: iterate it (or `map` over it) to get each item as
 * soon as its line is complete, before the call has finished.
 */
export interface StepStream<T> extends AsyncIterable<T> {
  /** Every item, once the last one has arrived (a JSON array can close before the call ends). */
  items(): Promise<T[]>;
  /** The whole answer, once the call has finished. */
  text(): Promise<string>;
}

/**
 * What a flow function gets: each method is a named step. Names must be unique within one scope
 * (the flow, or one item of a `map` or branch of `all`/`settle`), because a step's position (its
 * path, such as `sections[2]/expand`) is what the journal and the trace know it by.
 */
export interface Step {
  /** This scope's position: `''` in the flow itself, `sections[2]` in an item of a map. */
  readonly path: string;
  /** Aborted when this scope is cancelled: its run was aborted or a sibling failed. */
  readonly signal: AbortSignal;

  /** One call; resolves with the value the schema parsed, asking again on invalid output. */
  llm<S extends z.ZodType>(
    name: string,
    request: StepRequest,
    options: SchemaOptions<S>,
  ): Promise<z.output<S>>;
  /** One call; resolves with what `parse` made of the answer, asking again when it throws. */
  llm<T>(name: string, request: StepRequest, options: ParseOptions<T>): Promise<T>;
  /** One call; resolves with the answer's text. */
  llm(name: string, request: StepRequest, options?: LlmOptions): Promise<string>;

  /** One streamed call whose list items (by default) can be consumed as they arrive. */
  stream<T = string>(name: string, request: StepRequest, options?: StreamOptions<T>): StepStream<T>;

  /** Runs `fn` for every item at once (up to `concurrency`); results in item order; fails fast. */
  map<T, R>(
    name: string,
    items: Iterable<T> | AsyncIterable<T>,
    fn: (item: T, step: Step, index: number) => Promise<R>,
    options?: MapOptions,
  ): Promise<R[]>;
  /** Like `map`, but every item ends as ok, error or cancelled, and none stops the others. */
  mapSettled<T, R>(
    name: string,
    items: Iterable<T> | AsyncIterable<T>,
    fn: (item: T, step: Step, index: number) => Promise<R>,
    options?: MapOptions,
  ): Promise<StepOutcome<R>[]>;

  /** Runs every branch at once; resolves with their values, or fails with the first error. */
  all<const B extends Branches>(name: string, branches: B): Promise<BranchValues<B>>;
  /** Runs every branch at once; each ends as ok, error or cancelled. */
  settle<const B extends Branches>(name: string, branches: B): Promise<BranchOutcomes<B>>;

  /** A named sub-step of your own code; its JSON result is journaled, so a rerun skips it. */
  run<T>(name: string, fn: (step: Step) => Promise<T>): Promise<T>;
}
