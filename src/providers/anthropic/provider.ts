/**
 * Messages API calls through an Anthropic client, streaming or not. Anthropic's
 * `anthropic-ratelimit-*` headers get the `x-ratelimit-*` names the lane reads.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { type Emit, type ProviderInit, SdkProvider } from '../sdk-provider.js';
import { type MessagesBody, messagesBody, readMessage } from './body.js';
import { type AnthropicModule, mapAnthropicError } from './errors.js';
import { translateRateLimitHeaders } from './headers.js';
import { MessageReader } from './stream.js';

let sdk: Promise<AnthropicModule> | undefined;

export type AnthropicProvider = SdkProvider<AnthropicModule, Anthropic, MessagesBody>;

export function anthropicProvider(
  defaultMaxTokens: number,
  init: ProviderInit<AnthropicModule, Anthropic>,
): AnthropicProvider {
  return new SdkProvider({
    ...init,
    kind: 'anthropic',
    load: () => (sdk ??= import('@anthropic-ai/sdk')),
    requestBody: (request) => messagesBody(request, defaultMaxTokens),
    readBody: readMessage,
    post,
    headers: translateRateLimitHeaders,
    mapError: mapAnthropicError,
  });
}

async function post(
  client: Anthropic,
  body: MessagesBody,
  _: unknown,
  options: Anthropic.RequestOptions,
  emit?: Emit,
) {
  if (emit === undefined) return client.messages.create(body, options).withResponse();
  const posted = await client.messages.create({ ...body, stream: true }, options).withResponse();
  const reader = new MessageReader();
  for await (const event of posted.data) emit(reader.add(event));
  return { ...posted, data: reader.finished ? reader.message() : undefined };
}
