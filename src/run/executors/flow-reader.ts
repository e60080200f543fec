/**
 * Inputs of a flow as run items: one JSON value per line (`volley flow`), or the values of an
 * iterable (`flow.batch`). An object input's own string `custom_id` is its key, else `line-N`; the
 * hash is of the flow's name, the endpoint and the input, so an edited input runs again and an
 * unchanged one keeps its record.
 */
import { contentHash } from '../../records/hash.js';
import type { FlowRecord } from '../../records/types.js';
import type { EndpointIdentity } from '../identity.js';
import type { ItemReader, LineProblem, ReadEntry } from '../types.js';
import { endpointHash } from './flow.js';

export interface FlowReaderOptions {
  /** Entries are lines of JSON text (a file), not the inputs themselves. */
  readonly lines: boolean;
  readonly identity?: EndpointIdentity | undefined;
}

export function flowReader(flowName: string, options: FlowReaderOptions): ItemReader<unknown> {
  const endpoint = endpointHash(options.identity);
  return {
    read(entry, line): ReadEntry<unknown> | undefined {
      let input = entry;
      if (options.lines) {
        const text = String(entry);
        if (text.trim() === '') return undefined;
        try {
          input = JSON.parse(text);
        } catch (error) {
          const problem: LineProblem = {
            line,
            customId: undefined,
            code: 'invalid_input',
            message: `line ${line}: malformed JSON (${(error as Error).message})`,
          };
          return { problem, hash: contentHash(text) };
        }
      }
      const own = (input as { custom_id?: unknown } | null)?.custom_id;
      const key = typeof own === 'string' && own !== '' ? own : `line-${line}`;
      return { key, hash: contentHash({ f: flowName, e: endpoint, i: input }), payload: input };
    },
    reject(problem): FlowRecord {
      return {
        custom_id: problem.customId ?? `line-${problem.line}`,
        line: problem.line,
        flow: flowName,
        input: null,
        output: null,
        error: {
          code: problem.code,
          message: problem.message,
          ...(problem.field === undefined ? {} : { field: problem.field }),
        },
        model: null,
        attempts: 0,
        latency_ms: null,
        queued_ms: null,
        usage: null,
        cost_usd: null,
        calls: 0,
        steps_from_journal: 0,
        round_trips: 0,
      };
    },
  };
}
