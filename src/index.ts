/**
 * Volley's public surface. Everything a user imports from `volley` is listed here; the simulator
 * has its own entry point, `volley/simulator`.
 */

export {
  bodyKey,
  CACHE_KEY_VERSION,
  type CacheAnswer,
  type CacheEntry,
  type CacheStats,
  type ClearOptions,
  type ClearResult,
  cacheKey,
  clearCache,
  hitResult,
  type KeyedProvider,
  ResponseCache,
  type ResponseCacheOptions,
  readEntry,
} from './cache/index.js';
export type {
  CallEventBase,
  CallOptions,
  CallResult,
  CallTimings,
  LaneSnapshot,
  LimitOptions,
  RetryOptions,
  Settled,
  VolleyEvents,
  VolleyOptions,
  WaitReason,
} from './client/index.js';
export { Volley } from './client/index.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export {
  AbortError,
  APIError,
  ConnectionError,
  isVolleyError,
  TimeoutError,
  VolleyError,
  type VolleyErrorCode,
} from './errors.js';
export {
  type Branch,
  type Flow,
  type FlowRun,
  FlowStepError,
  type FlowSummary,
  flow,
  type LlmOptions,
  type MapOptions,
  parseJsonBlock,
  parseList,
  type RunOptions,
  type Step,
  type StepOutcome,
  type StepStream,
  Trace,
  type TraceJSON,
} from './flows/index.js';
export type {
  AnthropicProviderOptions,
  AzureOpenAIProviderOptions,
  CallRequest,
  ChatMessage,
  OpenAIProviderOptions,
  Provider,
  ProviderRequest,
  ProviderResponse,
  ResponseFormat,
  SendContext,
  Usage,
} from './providers/index.js';
export { anthropic, azureOpenAI, openai } from './providers/index.js';
