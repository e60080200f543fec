/**
 * The `calls` executor: each item is one call through the client's lanes (which own the rate
 * limits and retries), and its answer or failure becomes its record. A bad key, a missing model
 * or an exhausted quota is not a record: it stops the run, and the line is sent again on a rerun.
 * So is a server that stayed unreachable for longer than the client's `maxOutage`.
 */
import type { Volley } from '../../client/volley.js';
import { asVolleyError } from '../../client/volley.js';
import type { CallRequest } from '../../providers/types.js';
import { stopsLane } from '../../retry/decide.js';
import { concurrently } from '../concurrently.js';
import type { Executor, ExecutorContext, Outcome, WorkItem } from '../types.js';
import { failureRecord, resultRecord } from './call-records.js';
import { CallSet } from './call-set.js';

export function callsExecutor(volley: Volley): Executor<CallRequest> {
  let calls: CallSet | undefined;
  const defaultModel = volley.options.model ?? null;

  function send(item: WorkItem<CallRequest>, context: ExecutorContext): Promise<Outcome<CallRequest>> {
    const { key, line, payload } = item;
    const set = calls!;
    const slot = set.begin(key);
    return volley.complete(payload, { id: key, signal: set.signal(slot) }).then(
      (result) => {
        set.end(key, slot);
        const usage = result.usage;
        const cost = usage && context.pricing.cost(result.model, usage, 'realtime');
        return { item, record: resultRecord(line, key, result, cost) };
      },
      (thrown: unknown) => {
        set.end(key, slot);
        const error = asVolleyError(thrown);
        if (error.code === 'aborted') return { item, abandoned: true };
        // Every other line would fail the same way: stop, and send them on a rerun once fixed.
        if (stopsLane(error) || error.code === 'unreachable') return { item, abandoned: true, stop: error };
        return { item, record: failureRecord(line, key, payload.model ?? defaultModel, error) };
      },
    );
  }

  return {
    name: 'calls',
    tier: 'realtime',
    run(items, context) {
      const set = new CallSet(volley);
      calls = set;
      return (async function* () {
        try {
          yield* concurrently(items, (item) => send(item, context));
        } finally {
          set.dispose();
        }
      })();
    },
    stop(what) {
      if (what === 'queued') calls?.stopWaiting();
      else calls?.cancelAll();
    },
    capacity() {
      let total = 0;
      for (const lane of volley.lanes()) total += lane.concurrency;
      return total;
    },
  };
}
