export {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  type AnthropicProviderOptions,
  anthropic,
} from './anthropic.js';
export { type AnthropicErrorContext, mapAnthropicError } from './anthropic-errors.js';
export { translateRateLimitHeaders as translateAnthropicRateLimitHeaders } from './anthropic-headers.js';
export { type AzureOpenAIProviderOptions, azureOpenAI } from './azure-openai.js';
export { ECHO_LENGTH, type EchoProviderOptions, echoProvider } from './echo.js';
export { type FetchFunction, type OpenAIProviderOptions, openai } from './openai.js';
export { mapOpenAIError, type OpenAIErrorContext } from './openai-errors.js';
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
