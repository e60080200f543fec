import type { Provider } from '../../providers/types.js';

/**
 * The Redis key of one organisation's limits for one model. An organisation is named by the
 * caller when several keys share one account's limits (`--org`); otherwise it is the server and
 * the key's fingerprint (never the key).
 */
export function limiterKey(provider: Provider, model: string, org?: string): string {
  const account = org ?? `${provider.baseURL ?? provider.id}|${provider.keyFingerprint ?? provider.id}`;
  return `volley:limiter:{${account}}:${model}`;
}
