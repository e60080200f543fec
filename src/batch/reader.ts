/**
 * Input lines as call items, for every executor that sends call requests (the local lanes, and
 * the Batch API and queue executors after them). Each line's hash is of exactly what would be
 * sent: the endpoint (provider, server, whether it is the simulator; not the key), the resolved
 * model, and the request after the template. A resume compares it with the journal's.
 */
import type { CallRequest } from '../providers/types.js';
import { contentHash } from '../records/hash.js';
import { problemRecord } from '../run/executors/call-records.js';
import type { EndpointIdentity } from '../run/identity.js';
import type { ItemReader, ReadEntry } from '../run/types.js';
import { type InputOptions, parseLine, parseValue } from './input.js';

export interface CallsReaderOptions extends InputOptions {
  /** Model for lines that name none. */
  readonly model: string;
  readonly identity?: EndpointIdentity | undefined;
}

export function callsReader(options: CallsReaderOptions): ItemReader<CallRequest> {
  const { identity } = options;
  const endpoint = identity
    ? { provider: identity.provider, baseURL: identity.baseURL, simulator: identity.simulator }
    : null;
  return {
    read(entry, line): ReadEntry<CallRequest> | undefined {
      const parsed =
        typeof entry === 'string' ? parseLine(entry, line, options) : parseValue(entry, line, options);
      if (parsed === undefined) return undefined;
      if ('problem' in parsed) {
        const { problem } = parsed;
        return {
          problem: { ...problem, code: 'invalid_input' },
          hash: contentHash(typeof entry === 'string' ? entry : { v: entry }),
        };
      }
      const { customId, request } = parsed.item;
      const model = request.model ?? options.model;
      return {
        key: customId,
        hash: contentHash({ e: endpoint, m: model, r: request }),
        payload: request,
        size: { model, promptChars: promptChars(request), maxOutputTokens: request.maxTokens },
      };
    },
    reject: (problem) => problemRecord(problem),
  };
}

function promptChars(request: CallRequest): number {
  if (request.messages === undefined) return request.prompt?.length ?? 0;
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    chars += typeof content === 'string' ? content.length : JSON.stringify(content ?? '').length;
  }
  return chars;
}
