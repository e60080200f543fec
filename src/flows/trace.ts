/**
 * The trace of one flow run: a tree of spans (the flow, its steps, map items and branches, and the
 * calls under them), with times in milliseconds from the start of the run. `run.trace` is this
 * object; `JSON.stringify(run.trace)` gives the same data as JSON.
 */
import type { Clock } from '../clock.js';

export type SpanKind = 'flow' | 'llm' | 'stream' | 'map' | 'all' | 'settle' | 'item' | 'run' | 'call';

/** `cached`: a durable step whose result came from the journal, without a call. */
export type SpanStatus = 'running' | 'ok' | 'error' | 'cancelled' | 'cached';

export interface Span {
  readonly id: number;
  /** The enclosing span; undefined for the flow span. */
  readonly parent: number | undefined;
  readonly kind: SpanKind;
  readonly name: string;
  /** Position in the flow, e.g. `sections[1]/expand`; `''` for the flow span. */
  readonly path: string;
  /** Milliseconds from the start of the run. */
  readonly start: number;
  end: number | undefined;
  status: SpanStatus;
  error?: { readonly code: string; readonly message: string };
  /** Calls: time spent waiting for a slot, rate limits and backoff, over all attempts (ms). */
  queuedMs?: number;
  /** Calls: attempts made, the successful one included. */
  attempts?: number;
  /** Calls: tokens as the server counted them. */
  tokens?: { readonly prompt: number; readonly completion: number };
  model?: string;
  /** Calls: answered by the response cache, without a call (no attempts, no tokens counted). */
  fromCache?: true;
  /** Calls made in a branch that a streamed item started: that stream's call, and when the item arrived. */
  streamedFrom?: { readonly span: number; readonly at: number };
}

export interface TraceJSON {
  readonly flow: string;
  /** Clock time (epoch ms with the system clock) of the start of the run. */
  readonly startedAt: number;
  readonly spans: readonly Span[];
}

export class Trace {
  readonly spans: Span[] = [];
  readonly startedAt: number;

  constructor(
    readonly flow: string,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /** Milliseconds since the start of the run. */
  now(): number {
    return this.clock.now() - this.startedAt;
  }

  begin(kind: SpanKind, name: string, path: string, parent: Span | undefined): Span {
    const span: Span = {
      id: this.spans.length,
      parent: parent?.id,
      kind,
      name,
      path,
      start: this.now(),
      end: undefined,
      status: 'running',
    };
    this.spans.push(span);
    return span;
  }

  end(span: Span, status: Exclude<SpanStatus, 'running'>, error?: unknown): void {
    if (span.status !== 'running') return;
    span.end = this.now();
    span.status = status;
    if (error !== undefined) span.error = describe(error);
  }

  get root(): Span | undefined {
    return this.spans[0];
  }

  children(span: Span): Span[] {
    return this.spans.filter((s) => s.parent === span.id);
  }

  calls(): Span[] {
    return this.spans.filter((s) => s.kind === 'call');
  }

  toJSON(): TraceJSON {
    return { flow: this.flow, startedAt: this.startedAt, spans: this.spans };
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'unexpected', message: error.message };
  }
  return { code: 'unexpected', message: String(error) };
}
