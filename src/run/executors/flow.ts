/**
 * The `flow` executor: each item is one run of a flow on the shared client, pipelined (later
 * steps of runs under way go before the first steps of new ones, by priority). Its finished steps
 * are entries of the run journal, tied to the item, so a rerun after a crash or Ctrl-C pays only
 * for the steps that had not finished; an endpoint that changed (`--rerun-changed`) gets none of
 * the old answers. Each run becomes a `FlowRecord`: its output or error, and its calls' usage.
 */

import { summarize } from '../../flows/critical-path.js';
import type { JournalRecord, StepJournal } from '../../flows/durable.js';
import { type FlowStepError, isVolleyErrorLike, stepError } from '../../flows/errors.js';
import type { Flow } from '../../flows/flow.js';
import type { FlowClient } from '../../flows/run-context.js';
import type { Trace } from '../../flows/trace.js';
import { contentHash } from '../../records/hash.js';
import type { FlowRecord } from '../../records/types.js';
import { stopsLane } from '../../retry/decide.js';
import { concurrently } from '../concurrently.js';
import type { EndpointIdentity } from '../identity.js';
import type { Executor, ExecutorJournal, Prices } from '../types.js';

/** A step as the run journal keeps it: the flow's own record, and the endpoint that answered it. */
type StepEntry = JournalRecord & { readonly n: string };

export function flowExecutor<I, O>(flow: Flow<I, O>, volley: FlowClient): Executor<I> {
  let controller = new AbortController();
  return {
    name: 'flow',
    tier: 'realtime',
    run(items, context) {
      controller = new AbortController();
      const steps = new RunSteps(context.journal, endpointHash(context.identity));
      return concurrently(items, async (item) => {
        try {
          const run = await flow.run(item.payload, {
            volley,
            journal: steps.forItem(item.key),
            signal: controller.signal,
            inputName: item.key,
          });
          const record = flowRecord(flow.name, item, run.trace, context.pricing, run.output, undefined);
          return { item, record, detail: { input: item.payload, output: run.output, trace: run.trace } };
        } catch (thrown) {
          // A flow module loaded by the CLI has its own copy of Volley: its errors are already attributed.
          const error = isAttributed(thrown) ? thrown : stepError(flow.name, '', thrown);
          if (error.code === 'aborted') return { item, abandoned: true };
          // Every other input would fail the same way (a bad key, an unknown model): stop.
          if (stopsLane(error) || error.code === 'unreachable') return { item, abandoned: true, stop: error };
          const record = flowRecord(flow.name, item, error.trace, context.pricing, null, error);
          return { item, record, detail: { input: item.payload, trace: error.trace, error } };
        }
      });
    },
    stop(what) {
      // Flow runs under way go on through the grace period: each step they finish is journaled,
      // so nothing paid is lost. Past it, they are cancelled.
      if (what === 'all') controller.abort();
    },
  };
}

/** The run journal's step entries as the flows' `StepJournal`, one view per item. */
class RunSteps {
  readonly #records = new Map<string, StepEntry>();

  constructor(
    private readonly journal: ExecutorJournal,
    private readonly endpoint: string,
  ) {
    for (const entry of journal.entries) {
      const step = entry as Partial<StepEntry>;
      if (typeof step.key === 'string' && step.n === endpoint) this.#records.set(step.key, step as StepEntry);
    }
  }

  forItem(item: string): StepJournal {
    return {
      lookup: (key, request) => {
        const record = this.#records.get(key);
        if (record && request !== undefined && record.request !== undefined && record.request !== request)
          return undefined;
        return record;
      },
      record: async (record) => {
        const entry: StepEntry = { ...record, n: this.endpoint };
        await this.journal.note(entry, item);
        this.#records.set(record.key, entry);
      },
    };
  }
}

/** What answers the calls, without the key: a step answered elsewhere is not this endpoint's answer. */
export function endpointHash(identity: EndpointIdentity | undefined): string {
  if (identity === undefined) return '';
  const { provider, baseURL, simulator } = identity;
  return contentHash({ provider, baseURL, simulator });
}

function flowRecord(
  flowName: string,
  item: { readonly key: string; readonly line: number; readonly payload: unknown },
  trace: Trace | undefined,
  pricing: Prices,
  output: unknown,
  error:
    | { readonly code: string; readonly message: string; readonly status?: number | undefined }
    | undefined,
): FlowRecord {
  const ended = trace?.calls().filter((c) => c.end !== undefined) ?? [];
  // Calls the response cache answered were not made: they are counted apart and cost nothing.
  const calls = ended.filter((c) => !c.fromCache);
  const cachedCalls = ended.length - calls.length;
  let prompt = 0;
  let completion = 0;
  let cost: number | null = null;
  let attempts = 0;
  let queued = 0;
  for (const call of calls) {
    attempts += call.attempts ?? 1;
    queued += call.queuedMs ?? 0;
    if (!call.tokens) continue;
    prompt += call.tokens.prompt;
    completion += call.tokens.completion;
    const price =
      call.model &&
      pricing.cost(
        call.model,
        { promptTokens: call.tokens.prompt, completionTokens: call.tokens.completion },
        'realtime',
      );
    if (typeof price === 'number') cost = (cost ?? 0) + price;
  }
  const summary = trace ? summarize(trace) : undefined;
  return {
    custom_id: item.key,
    line: item.line,
    flow: flowName,
    input: item.payload ?? null,
    output: error ? null : (output ?? null),
    error: error
      ? {
          code: error.code,
          message: error.message,
          ...(error.status === undefined ? {} : { status: error.status }),
        }
      : null,
    model: ended.findLast((c) => c.model !== undefined)?.model ?? null,
    attempts,
    latency_ms: summary ? Math.round(summary.makespanMs) : null,
    queued_ms: Math.round(queued),
    usage:
      calls.length === 0
        ? null
        : { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    cost_usd: cost ?? (cachedCalls > 0 && calls.length === 0 ? 0 : null),
    calls: calls.length,
    steps_from_journal: summary?.cachedSteps ?? 0,
    round_trips: summary?.roundTrips ?? 0,
    ...(cachedCalls === 0 ? {} : { cached_calls: cachedCalls }),
    ...(cachedCalls > 0 && calls.length === 0 ? { cached: true as const } : {}),
  };
}

function isAttributed(error: unknown): error is FlowStepError {
  return isVolleyErrorLike(error) && typeof (error as { flow?: unknown }).flow === 'string';
}
