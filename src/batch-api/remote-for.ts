/** The batch endpoints of a provider built by `openai()` or `anthropic()`, through its own SDK client. */
import { VolleyError } from '../errors.js';
import type { AnthropicProvider } from '../providers/anthropic/provider.js';
import type { OpenAIProvider } from '../providers/openai/provider.js';
import type { Provider } from '../providers/types.js';
import type { BatchRemote } from './remote.js';

export async function remoteFor(provider: Provider): Promise<BatchRemote> {
  const sdkClient = (provider as Partial<Pick<OpenAIProvider | AnthropicProvider, 'sdkClient'>>).sdkClient;
  if (provider.kind === 'openai' && sdkClient) {
    const { openaiRemote } = await import('./openai-remote.js');
    return openaiRemote(await (provider as OpenAIProvider).sdkClient(), provider.endpoint);
  }
  if (provider.kind === 'anthropic' && sdkClient) {
    const { anthropicRemote } = await import('./anthropic-remote.js');
    return anthropicRemote(await (provider as AnthropicProvider).sdkClient());
  }
  throw new VolleyError(
    'invalid_request',
    `The Batch API needs a provider built by openai() or anthropic(); ${provider.name} has none. Use --mode realtime.`,
  );
}
