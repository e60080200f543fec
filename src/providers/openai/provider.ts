/** Chat completions through an `openai` client (`OpenAI` or `AzureOpenAI`), streaming or not. */
import type OpenAI from 'openai';
import { type Emit, type ProviderInit, SdkProvider } from '../sdk-provider.js';
import type { ProviderRequest } from '../types.js';
import { type ChatBody, chatBody, readCompletion, streamBody } from './body.js';
import { mapOpenAIError, type OpenAIModule } from './errors.js';
import { CompletionReader } from './stream.js';

let sdk: Promise<OpenAIModule> | undefined;

/** What `openai()` and `azureOpenAI()` build: they differ only in their account and client. */
export type OpenAIProvider = SdkProvider<OpenAIModule, OpenAI, ChatBody>;

export function openAIProvider(init: ProviderInit<OpenAIModule, OpenAI>): OpenAIProvider {
  return new SdkProvider({
    ...init,
    kind: 'openai',
    load: () => (sdk ??= import('openai')),
    requestBody: chatBody,
    readBody: readCompletion,
    post,
    mapError: mapOpenAIError,
  });
}

type Options = OpenAI.RequestOptions;

async function post(client: OpenAI, body: ChatBody, request: ProviderRequest, options: Options, emit?: Emit) {
  if (emit === undefined) return client.chat.completions.create(body, options).withResponse();
  const stream = client.chat.completions.create(streamBody(body, request.params), options);
  const posted = await stream.withResponse();
  const reader = new CompletionReader(request.model);
  for await (const chunk of posted.data) emit(reader.add(chunk));
  return { ...posted, data: reader.finished ? reader.completion() : undefined };
}
