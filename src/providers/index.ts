export { type AnthropicProviderOptions, anthropic } from './anthropic/index.js';
export {
  type AzureOpenAIProviderOptions,
  azureOpenAI,
  type OpenAIProviderOptions,
  openai,
} from './openai/index.js';
export type {
  CallRequest,
  ChatMessage,
  Provider,
  ProviderRequest,
  ProviderResponse,
  ResponseFormat,
  SendContext,
  Usage,
} from './types.js';
