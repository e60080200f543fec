/** The OpenTelemetry `gen_ai.provider.name` of a provider, for spans and the run record's lanes. */
import type { Provider } from '../providers/types.js';

/** Names for the provider ids of providers that do not give `name` yet (`azure-openai:https://...`). */
const NAMES_BY_ID_PREFIX: Record<string, string> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
};

/** The provider's own `name` when it has one; else from its kind or the start of its id. */
export function providerName(
  provider: Pick<Provider, 'id'> & { readonly kind?: string | undefined; readonly name?: string | undefined },
): string {
  if (provider.name) return provider.name;
  const prefix = provider.id.split(':', 1)[0]!;
  return NAMES_BY_ID_PREFIX[prefix] ?? provider.kind ?? prefix;
}
