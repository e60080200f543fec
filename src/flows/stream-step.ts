/**
 * `step.stream`: a call whose answer is read while it streams, each item reported as soon as it is
 * complete (by default the text of each numbered or bulleted list line; with `jsonArray`, each
 * element of that array of a JSON answer). `map` over the stream starts each branch as soon as its
 * item has arrived, before the call has finished.
 */
import { tracedCall } from './call.js';
import { hashInput } from './durable.js';
import { FlowStepError, isAbort, misuse, stepError } from './errors.js';
import { type ItemReader, jsonReader, lineReader } from './item-readers.js';
import { ItemStream } from './item-stream.js';
import { toRequest } from './llm-step.js';
import type { Scope } from './scope.js';
import { schemaRequest } from './structured.js';
import type { StepRequest, StepStream, StreamOptions } from './types.js';

export function streamStep<T>(
  scope: Scope,
  name: string,
  request: StepRequest,
  options: StreamOptions<T>,
): StepStream<T> {
  const path = scope.claim(name);
  const stream = new ItemStream<T>();
  scope.context.track(fill(scope, name, path, request, options, stream));
  return stream;
}

async function fill<T>(
  scope: Scope,
  name: string,
  path: string,
  request: StepRequest,
  options: StreamOptions<T>,
  stream: ItemStream<T>,
): Promise<void> {
  const { trace, journal, flow } = scope.context;
  const span = trace.begin('stream', name, path, scope.span);
  const depth = scope.depth;
  const key = scope.context.journalKey(path);
  try {
    if (options.jsonArray !== undefined && options.item)
      throw misuse(flow, path, 'pass `item` or `jsonArray`, not both.');
    if (options.schema && options.jsonArray === undefined)
      throw misuse(flow, path, '`schema` needs `jsonArray`.');
    const reader: ItemReader<T> =
      options.jsonArray === undefined
        ? lineReader(options.item)
        : jsonReader(options.jsonArray, options.schema);
    let base = toRequest(request, flow, path);
    const digest = hashInput(base);
    const recorded = journal?.lookup(key, digest)?.text;
    if (recorded !== undefined) {
      for (const item of reader.whole(recorded)) stream.push(item, { from: undefined, depth: depth + 1 });
      trace.end(span, 'cached');
      scope.reached(depth + 1);
      stream.finish(recorded);
      return;
    }
    if (options.schema) base = schemaRequest(base, options.schema, 'schema', name);
    let seen = 0; // items of the current attempt: a retry starts the text over
    let attempt = 0;
    let call = -1;
    const take = (items: T[]) => {
      for (const item of items) {
        if (++seen <= stream.count) continue; // a failed attempt already delivered it
        stream.push(item, { from: { span: call, at: trace.now() }, depth: depth + 1 });
      }
      if (reader.complete()) stream.close();
    };
    const result = await tracedCall(scope, span, base, options, {
      onDelta: (delta, from) => {
        if (call < 0) call = trace.spans.findLast((s) => s.parent === span.id)?.id ?? -1;
        if (from !== attempt) {
          // A retry: its text starts over, and the items it repeats are not delivered twice.
          if (attempt !== 0) reader.reset();
          attempt = from;
          seen = 0;
        }
        take(reader.push(delta));
      },
    });
    if (call < 0) call = trace.spans.findLast((s) => s.parent === span.id)?.id ?? -1;
    if (result.timings.attempts !== attempt) reader.reset(); // the last attempt streamed nothing
    take(reader.end());
    let all: T[];
    try {
      all = reader.whole(result.text);
    } catch (error) {
      throw new FlowStepError(flow, path, 'invalid_output', (error as Error).message, error);
    }
    seen = 0;
    take(all);
    await journal?.record({ key, text: result.text, request: digest });
    trace.end(span, 'ok');
    scope.reached(depth + 1);
    stream.finish(result.text);
  } catch (error) {
    const failure = stepError(flow, path, error);
    trace.end(span, isAbort(error) ? 'cancelled' : 'error', failure);
    // Readers that already have every item will not see this error: the run must.
    if (stream.closed) scope.context.lateFailure ??= failure;
    stream.fail(failure);
  }
}
