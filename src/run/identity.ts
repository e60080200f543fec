/**
 * What answered a run: the provider, its server, the account (a fingerprint of the key, never the
 * key), whether it was the built-in simulator, and the default model. The journal header keeps it,
 * so that a resume against another endpoint is noticed instead of mixing answers.
 */
import type { Provider } from '../providers/types.js';

export interface EndpointIdentity {
  /** The provider's wire protocol: `openai`, `anthropic`, ... */
  readonly provider: string;
  readonly baseURL: string | null;
  readonly keyFingerprint: string | null;
  readonly simulator: boolean;
  /** The model for lines that name none. */
  readonly model: string | null;
}

export function identityOf(
  provider: Provider,
  extra: { readonly simulator?: boolean | undefined; readonly model?: string | undefined } = {},
): EndpointIdentity {
  return {
    provider: provider.kind ?? provider.id.split(':')[0] ?? 'unknown',
    baseURL: provider.baseURL ?? null,
    keyFingerprint: provider.keyFingerprint ?? null,
    simulator: extra.simulator ?? false,
    model: extra.model ?? provider.defaultModel ?? null,
  };
}

const LABELS: Record<keyof EndpointIdentity, string> = {
  provider: 'provider',
  baseURL: 'base URL',
  keyFingerprint: 'API key (fingerprint)',
  simulator: 'built-in simulator',
  model: 'model',
};

/** One line per field that differs, e.g. `built-in simulator: yes → no`; empty when the same. */
export function identityChanges(before: EndpointIdentity, now: EndpointIdentity): string[] {
  const show = (value: unknown) =>
    value === true ? 'yes' : value === false ? 'no' : value === null ? 'none' : String(value);
  return (Object.keys(LABELS) as (keyof EndpointIdentity)[])
    .filter((key) => before[key] !== now[key])
    .map((key) => `${LABELS[key]}: ${show(before[key])} → ${show(now[key])}`);
}
