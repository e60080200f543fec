/**
 * A stored answer read back: the provider's own `readBody`, as `send` would read it, so a hit
 * means what the call meant. An entry the provider cannot read (stored by another version, or
 * damaged in a way JSON does not show) is a miss, never an error.
 */
import type { Provider, ProviderAnswer } from '../providers/types.js';
import type { CallResult } from '../scheduler/types.js';
import type { CacheEntry } from './entry.js';

/** What `entry` says, read by `provider`; undefined when it cannot be read. */
export function readEntry(
  provider: Pick<Provider, 'readBody'>,
  entry: CacheEntry,
): ProviderAnswer | undefined {
  try {
    return provider.readBody(entry.body, entry.model);
  } catch {
    return undefined;
  }
}

/** The `CallResult` of a hit: no attempt, no wait, no latency, and `cached: true`. */
export function hitResult(
  provider: Pick<Provider, 'readBody'>,
  id: string,
  entry: CacheEntry,
  now: number,
): CallResult | undefined {
  const answer = readEntry(provider, entry);
  if (answer === undefined) return undefined;
  return {
    id,
    text: answer.text,
    usage: answer.usage,
    finishReason: answer.finishReason,
    model: answer.model,
    requestID: entry.request_id ?? undefined,
    raw: entry.body,
    cached: true,
    timings: { enqueuedAt: now, startedAt: now, finishedAt: now, queuedMs: 0, attempts: 0, latencyMs: 0 },
  };
}
