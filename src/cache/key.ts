/**
 * The cache key: what makes two calls the same call. The sha256 of the canonical JSON (keys
 * sorted, `stableJSON`) of the key version, the provider's wire protocol, its endpoint, the model
 * and the body exactly as the provider would post it (`requestBody`, so a parameter changes the
 * key exactly when it changes what is sent). A field the provider or request lacks is written as
 * null, never left out. Never the API key or the base URL: the same request through another key
 * or a proxy is the same question, and no cache file may be derived from a secret.
 */
import { hash } from 'node:crypto';
import type { Provider, ProviderRequest } from '../providers/types.js';
import { stableJSON } from '../records/hash.js';

/** Raised when what the key covers changes: entries under an older version are never hit again. */
export const CACHE_KEY_VERSION = 1;

/** What the key reads of a provider. */
export type KeyedProvider = Pick<Provider, 'kind' | 'endpoint' | 'requestBody'>;

/**
 * 64 hex digits naming `request` as `provider` would send it. Throws the provider's `VolleyError`
 * (`invalid_request`) for a request its API cannot express, as `send` would.
 */
export function cacheKey(provider: KeyedProvider, request: ProviderRequest): string {
  return bodyKey(provider, request.model, provider.requestBody(request));
}

/** `cacheKey` for a body already built with `provider.requestBody` (a Batch API line's). */
export function bodyKey(
  provider: Pick<Provider, 'kind' | 'endpoint'>,
  model: string | undefined,
  body: Record<string, unknown>,
): string {
  const material = {
    v: CACHE_KEY_VERSION,
    kind: provider.kind ?? null,
    endpoint: provider.endpoint ?? null,
    model: model ?? null,
    body: body ?? null,
  };
  return hash('sha256', stableJSON(material), 'hex');
}
