export { ECHO_LENGTH, type EchoProviderOptions, echoProvider } from './echo.js';
export {
  type AzureOpenAIProviderOptions,
  azureOpenAI,
  type FetchFunction,
  type OpenAIProviderOptions,
  openai,
} from './openai.js';
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
