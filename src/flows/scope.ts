/**
 * A step scope: the flow itself, or one item of a `map` or branch of `all`/`settle`. It owns the
 * names used in it (so that every step has one position), the cancellation signal of its branch,
 * and its depth: how many rounds of calls led up to it, which becomes the priority of its calls so
 * that work already under way finishes before new work starts.
 */
import type { z } from 'zod';
import { branchesStep } from './all-settle.js';
import { misuse } from './errors.js';
import { llmStep } from './llm-step.js';
import { mapStep } from './map-step.js';
import type { RunContext } from './run-context.js';
import { runStep } from './run-step.js';
import { streamStep } from './stream-step.js';
import type { Span } from './trace.js';
import type {
  Branches,
  BranchOutcomes,
  BranchValues,
  LlmOptions,
  MapOptions,
  ParseOptions,
  SchemaOptions,
  Step,
  StepOutcome,
  StepRequest,
  StepStream,
  StreamOptions,
} from './types.js';

/** For a scope that a streamed item started: the stream's call span and when the item arrived. */
export type StreamedFrom = { readonly span: number; readonly at: number };

export class Scope implements Step {
  readonly #names = new Set<string>();

  constructor(
    readonly context: RunContext,
    readonly path: string,
    readonly span: Span,
    readonly signal: AbortSignal,
    /** Rounds of calls that led up to this point; raised as steps finish. */
    public depth: number,
    readonly streamedFrom?: StreamedFrom,
  ) {}

  /** Takes `name` for a step of this scope and returns the step's path. */
  claim(name: string): string {
    if (typeof name !== 'string' || name === '' || /[/[\]]/.test(name)) {
      throw misuse(
        this.context.flow,
        this.path,
        `a step name must be a non-empty string without "/", "[" or "]", got ${JSON.stringify(name)}.`,
      );
    }
    const path = this.path === '' ? name : `${this.path}/${name}`;
    if (this.#names.has(name)) {
      throw misuse(
        this.context.flow,
        path,
        'this step name is already used at this position; give every step of one scope its own name.',
      );
    }
    this.#names.add(name);
    return path;
  }

  child(path: string, span: Span, signal: AbortSignal, depth: number, streamedFrom?: StreamedFrom): Scope {
    return new Scope(this.context, path, span, signal, depth, streamedFrom ?? this.streamedFrom);
  }

  /** A step of this scope finished after `depth` rounds. */
  reached(depth: number): void {
    this.depth = Math.max(this.depth, depth);
  }

  llm<S extends z.ZodType>(
    name: string,
    request: StepRequest,
    options: SchemaOptions<S>,
  ): Promise<z.output<S>>;
  llm<T>(name: string, request: StepRequest, options: ParseOptions<T>): Promise<T>;
  llm(name: string, request: StepRequest, options?: LlmOptions): Promise<string>;
  llm(name: string, request: StepRequest, options?: LlmOptions): Promise<unknown> {
    return llmStep(this, name, request, options ?? {});
  }

  stream<T = string>(name: string, request: StepRequest, options?: StreamOptions<T>): StepStream<T> {
    return streamStep(this, name, request, options ?? {});
  }

  map<T, R>(
    name: string,
    items: Iterable<T> | AsyncIterable<T>,
    fn: (item: T, step: Step, index: number) => Promise<R>,
    options?: MapOptions,
  ): Promise<R[]> {
    return mapStep(this, name, items, fn, options ?? {}, 'fail-fast').then((outcomes) =>
      outcomes.map((o) => (o as { value: R }).value),
    );
  }

  mapSettled<T, R>(
    name: string,
    items: Iterable<T> | AsyncIterable<T>,
    fn: (item: T, step: Step, index: number) => Promise<R>,
    options?: MapOptions,
  ): Promise<StepOutcome<R>[]> {
    return mapStep(this, name, items, fn, options ?? {}, 'settle');
  }

  all<const B extends Branches>(name: string, branches: B): Promise<BranchValues<B>> {
    return branchesStep(this, name, 'all', branches) as Promise<BranchValues<B>>;
  }

  settle<const B extends Branches>(name: string, branches: B): Promise<BranchOutcomes<B>> {
    return branchesStep(this, name, 'settle', branches) as Promise<BranchOutcomes<B>>;
  }

  run<T>(name: string, fn: (step: Step) => Promise<T>): Promise<T> {
    return runStep(this, name, fn);
  }
}
