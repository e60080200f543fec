/**
 * The provider for Anthropic's Messages API, built on the official `@anthropic-ai/sdk`. One `send`
 * is one HTTP attempt: the SDK's own retries are off and its timeout is out of the way, because
 * the scheduler and the retry policy own both. Anthropic's `anthropic-ratelimit-*` headers are
 * translated to the `x-ratelimit-*` ones the scheduler reads (see `anthropic-headers.ts`).
 */
import Anthropic from '@anthropic-ai/sdk';
import { ConnectionError, VolleyError } from '../errors.js';
import { type AnthropicErrorContext, mapAnthropicError } from './anthropic-errors.js';
import { translateRateLimitHeaders } from './anthropic-headers.js';
import {
  abortReason,
  checkOptionKeys,
  checkURL,
  describeType,
  displayURL,
  type Env,
  envOption,
  type FetchFunction,
  fingerprint,
  functionOption,
  headersOption,
  isRecord,
  readEnv,
  stringOption,
  toHeaders,
  urlOption,
} from './shared.js';
import type {
  ChatMessage,
  Provider,
  ProviderRequest,
  ProviderResponse,
  ResponseFormat,
  SendContext,
  Usage,
} from './types.js';

export interface AnthropicProviderOptions {
  /**
   * API key. Anthropic-compatible local servers and proxies may need none: when no key is
   * configured but a base URL is, the placeholder `'not-needed'` is sent.
   * @default env `ANTHROPIC_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Base URL of the API, without the `/v1` prefix (the SDK appends `/v1/messages`).
   * @default env `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`
   */
  readonly baseURL?: string | undefined;
  /**
   * Model used when a request names none, e.g. `'claude-sonnet-4-5'`.
   * @default undefined (every request must name its model)
   */
  readonly defaultModel?: string | undefined;
  /**
   * `max_tokens` for requests that set no `maxTokens`. Anthropic requires the field on every
   * request, so the provider always sends one; a positive integer.
   * @default 1024
   */
  readonly defaultMaxTokens?: number | undefined;
  /**
   * Extra headers sent with every request, e.g. `{ 'anthropic-beta': '...' }`.
   * @default {}
   */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * The fetch used for HTTP, e.g. a test double's.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchFunction | undefined;
  /**
   * Where the `ANTHROPIC_*` defaults are read from; injected by tests.
   * @default process.env
   */
  readonly env?: Env | undefined;
  /**
   * An `Anthropic` client to send through instead of building one. Excludes the connection
   * options (`apiKey`, `baseURL`, `defaultHeaders`, `fetch`). Its retries and timeout are
   * overridden per request.
   * @default undefined (a client is built from the other options)
   */
  readonly client?: Anthropic | undefined;
}

/** What `max_tokens` is when neither the request nor the provider options set it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Sent to servers that ignore the key; the SDK refuses to send a request without credentials. */
const PLACEHOLDER_KEY = 'not-needed';
/**
 * The SDK's own timeout, kept far above any per-attempt timeout (Volley aborts through
 * `context.signal`) and below 2^31 ms, past which Node's timers fire at once.
 */
const SDK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const LOG_LEVELS = new Set(['off', 'error', 'warn', 'info', 'debug']);

/**
 * Appended to the system prompt for `responseFormat: { type: 'json_object' }`: the Messages API
 * has no JSON mode, so the model is asked for JSON instead.
 */
export const JSON_OBJECT_INSTRUCTION =
  'Answer with one valid JSON object and nothing else: no prose before or after it and no Markdown code fences.';

const OPTIONS = [
  'apiKey',
  'baseURL',
  'defaultModel',
  'defaultMaxTokens',
  'defaultHeaders',
  'fetch',
  'env',
  'client',
] as const;
const CONNECTION_OPTIONS = ['apiKey', 'baseURL', 'defaultHeaders', 'fetch'] as const;

/**
 * A provider for Anthropic's Messages API. Throws a `TypeError` naming the option for invalid
 * options, and a `VolleyError` with code `authentication` when neither a key nor a base URL is
 * configured.
 *
 * Requests are mapped as follows: `system` and `developer` messages, wherever they appear, are
 * joined (blank line between) into the top-level `system` prompt; `user` and `assistant` messages
 * keep their order; a `tool` message is refused with `invalid_request` (send tool results as
 * `tool_result` content blocks in a user message); `name` is dropped. `maxTokens` becomes
 * `max_tokens` (else `defaultMaxTokens`). A JSON `responseFormat` adds an instruction to answer
 * with JSON only to the system prompt (for `json_schema`, with the schema); the model is asked,
 * not forced. `params` are sent as they are, in Anthropic's names (`top_k`, `stop_sequences`,
 * `tools`, `thinking`, ...), and override everything above except `stream`.
 */
export function anthropic(options?: AnthropicProviderOptions): Provider {
  const fn = 'anthropic()';
  const opts = checkOptionKeys(fn, options, OPTIONS);
  const env = envOption(fn, opts);
  const defaultModel = stringOption(fn, opts, 'defaultModel');
  const defaultMaxTokens = maxTokensOption(fn, opts);

  if (opts['client'] !== undefined) {
    const client = opts['client'];
    if (!isMessagesClient(client)) {
      throw new TypeError(`${fn}: option "client" must be an Anthropic client (new Anthropic(...)).`);
    }
    const clash = CONNECTION_OPTIONS.find((name) => opts[name] !== undefined);
    if (clash !== undefined) {
      throw new TypeError(
        `${fn}: option "${clash}" cannot be combined with "client"; configure the client itself instead.`,
      );
    }
    const key = [client.apiKey, client.authToken].find(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    const baseURL = displayURL(client.baseURL);
    return new AnthropicProvider({
      client,
      id: laneID(baseURL, key),
      defaultModel,
      defaultMaxTokens,
      baseURL,
      secrets: key === undefined ? [] : [key],
    });
  }

  const optionURL = urlOption(fn, opts, 'baseURL');
  const envURL = readEnv(env, 'ANTHROPIC_BASE_URL');
  const configuredURL =
    optionURL ?? (envURL === undefined ? undefined : checkURL('ANTHROPIC_BASE_URL', envURL));
  const key = stringOption(fn, opts, 'apiKey') ?? readEnv(env, 'ANTHROPIC_API_KEY');
  if (key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No Anthropic API key is configured. Set ANTHROPIC_API_KEY (or pass apiKey), ' +
        'or pass baseURL to use an Anthropic-compatible server that needs no key.',
    );
  }
  const baseURL = configuredURL ?? DEFAULT_BASE_URL;
  const fetch = functionOption<FetchFunction>(fn, opts, 'fetch');
  const defaultHeaders = headersOption(fn, opts, 'defaultHeaders');
  const client = new Anthropic({
    // Always a key, so that the SDK never looks for credentials of its own (environment,
    // profiles on disk).
    apiKey: key ?? PLACEHOLDER_KEY,
    baseURL,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: sdkLogLevel(env),
    ...(defaultHeaders === undefined ? {} : { defaultHeaders }),
    ...(fetch === undefined ? {} : { fetch }),
  });
  const shownURL = displayURL(baseURL);
  return new AnthropicProvider({
    client,
    id: laneID(shownURL, key),
    defaultModel,
    defaultMaxTokens,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
  });
}

function maxTokensOption(fn: string, opts: Readonly<Record<string, unknown>>): number {
  const value = opts['defaultMaxTokens'];
  if (value === undefined) return ANTHROPIC_DEFAULT_MAX_TOKENS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const got = typeof value === 'number' ? String(value) : describeType(value);
    throw new TypeError(`${fn}: option "defaultMaxTokens" must be a positive integer, got ${got}.`);
  }
  return value;
}

/**
 * `anthropic:baseURL#account`, where account is the first 8 hex characters of sha256(key), or
 * `nokey` when no key is configured.
 */
function laneID(baseURL: string, key: string | undefined): string {
  return `anthropic:${baseURL}#${key === undefined ? 'nokey' : fingerprint(key)}`;
}

/** The SDK logs to the console at `warn` by default, which would scribble over the CLI's output. */
function sdkLogLevel(env: Env): 'off' | 'error' | 'warn' | 'info' | 'debug' {
  const level = readEnv(env, 'ANTHROPIC_LOG');
  return level !== undefined && LOG_LEVELS.has(level) ? (level as 'off') : 'off';
}

function isMessagesClient(value: unknown): value is Anthropic {
  if (value instanceof Anthropic) return true;
  if (!isRecord(value)) return false;
  const messages = (value as { messages?: { create?: unknown } }).messages;
  return typeof messages?.create === 'function' && typeof value['baseURL'] === 'string';
}

interface AnthropicProviderInit {
  readonly client: Anthropic;
  readonly id: string;
  readonly defaultModel: string | undefined;
  readonly defaultMaxTokens: number;
  readonly baseURL: string;
  readonly secrets: readonly string[];
}

/** Rethrown untouched: an exception from the caller's `onDelta` is the caller's, not the server's. */
class DeltaCallbackFailure {
  constructor(readonly error: unknown) {}
}

type Body = Record<string, unknown>;
type Meta = { status: number; headers: Headers; requestID: string | undefined };

class AnthropicProvider implements Provider {
  readonly id: string;
  readonly defaultModel: string | undefined;
  // Private so that logging or serializing the provider never shows the client (and its key).
  readonly #client: Anthropic;
  readonly #defaultMaxTokens: number;
  readonly #baseURL: string;
  readonly #secrets: readonly string[];

  constructor(init: AnthropicProviderInit) {
    this.id = init.id;
    this.defaultModel = init.defaultModel;
    this.#client = init.client;
    this.#defaultMaxTokens = init.defaultMaxTokens;
    this.#baseURL = init.baseURL;
    this.#secrets = init.secrets;
  }

  toJSON(): { id: string; defaultModel?: string } {
    return { id: this.id, ...(this.defaultModel === undefined ? {} : { defaultModel: this.defaultModel }) };
  }

  async send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse> {
    const { signal, onDelta } = context;
    if (signal.aborted) throw abortReason(signal);
    // A per-attempt signal, so that the SDK's listener never outlives this attempt even when the
    // caller reuses one long-lived signal for many calls.
    const attempt = new AbortController();
    const forward = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      return onDelta === undefined
        ? await this.#complete(request, attempt.signal)
        : await this.#stream(request, attempt.signal, onDelta);
    } catch (error) {
      if (error instanceof DeltaCallbackFailure) throw error.error;
      if (signal.aborted) throw abortReason(signal);
      throw mapAnthropicError(error, this.#errorContext(request.model));
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  #errorContext(model: string): AnthropicErrorContext {
    return { model, baseURL: this.#baseURL, secrets: this.#secrets, keyEnv: 'ANTHROPIC_API_KEY' };
  }

  async #complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const body = buildAnthropicBody(request, this.#defaultMaxTokens, false);
    const aborted = whenAborted(signal);
    let answer: { data: unknown; response: Response };
    try {
      answer = await Promise.race([
        this.#client.messages
          .create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, requestOptions(signal))
          .withResponse(),
        aborted.promise,
      ]);
    } finally {
      aborted.dispose();
    }
    const { data: raw, response } = answer;
    const headers = translateRateLimitHeaders(toHeaders(response.headers) ?? new Headers());
    const fromBody = isRecord(raw) ? raw['_request_id'] : undefined;
    const requestID =
      typeof fromBody === 'string' && fromBody !== '' ? fromBody : (headers.get('request-id') ?? undefined);
    const meta: Meta = { status: response.status, headers, requestID };

    if (!isRecord(raw) || !Array.isArray(raw['content'])) {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.#baseURL} answered without a message (${describeBody(raw)}). ` +
          'Check that the base URL points at the Anthropic Messages API (without /v1).',
        meta,
      );
    }
    const text = raw['content']
      .map((block) =>
        isRecord(block) && block['type'] === 'text' && typeof block['text'] === 'string' ? block['text'] : '',
      )
      .join('');
    const finishReason = typeof raw['stop_reason'] === 'string' ? raw['stop_reason'] : null;
    checkRefusal(finishReason, meta);
    return {
      text,
      usage: readAnthropicUsage(raw['usage']),
      finishReason,
      model: typeof raw['model'] === 'string' && raw['model'] !== '' ? raw['model'] : request.model,
      requestID,
      headers,
      raw,
    };
  }

  async #stream(
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<ProviderResponse> {
    const body = buildAnthropicBody(request, this.#defaultMaxTokens, true);
    // Every wait is raced against the signal: the SDK counts on fetch to fail the body when the
    // signal aborts, and an injected fetch (a test double) may not.
    const aborted = whenAborted(signal);
    let iterator: AsyncIterator<unknown> | undefined;
    let finished = false;
    try {
      const { data: stream, response } = await Promise.race([
        this.#client.messages
          .create(body as unknown as Anthropic.MessageCreateParamsStreaming, requestOptions(signal))
          .withResponse(),
        aborted.promise,
      ]);
      iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const result = await this.#readStream(request, iterator, aborted.promise, signal, onDelta, response);
      finished = true;
      return result;
    } finally {
      aborted.dispose();
      // Stops the SDK's reader (and through it the request) when the loop left early.
      if (!finished) iterator?.return?.().catch(() => {});
    }
  }

  async #readStream(
    request: ProviderRequest,
    iterator: AsyncIterator<unknown>,
    aborted: Promise<never>,
    signal: AbortSignal,
    onDelta: (text: string) => void,
    response: Response,
  ): Promise<ProviderResponse> {
    const headers = translateRateLimitHeaders(toHeaders(response.headers) ?? new Headers());
    const requestID = headers.get('request-id') ?? undefined;
    const message = new MessageAccumulator(request.model);
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done === true) break;
      const piece = message.apply(step.value);
      if (piece === undefined) continue;
      try {
        onDelta(piece);
      } catch (error) {
        throw new DeltaCallbackFailure(error);
      }
    }
    // The SDK ends the iteration quietly when the attempt is aborted; `send` turns this into the
    // abort's reason.
    signal.throwIfAborted();
    const meta: Meta = { status: response.status, headers, requestID };
    if (message.stopReason === null) {
      throw new ConnectionError(
        `The stream from ${this.#baseURL} ended before the server finished its answer. ` +
          'A later attempt may succeed; if it keeps happening, call without streaming.',
        meta,
      );
    }
    checkRefusal(message.stopReason, meta);
    return {
      text: message.text,
      usage: readAnthropicUsage(message.usage),
      finishReason: message.stopReason,
      model: message.model,
      requestID,
      headers,
      raw: message.toMessage(),
    };
  }
}

/** A refusal is not an answer the caller can use, whatever text came before it. */
function checkRefusal(finishReason: string | null, meta: Meta): void {
  if (finishReason === 'refusal') {
    throw new VolleyError(
      'content_filtered',
      'The model declined to answer (stop_reason "refusal"). Rephrase the request; retrying the same input will usually not help.',
      meta,
    );
  }
}

/**
 * Rebuilds a `Message` from stream events: text, thinking and tool-use blocks, the stop reason,
 * and the usage from `message_start` updated by `message_delta`.
 */
class MessageAccumulator {
  text = '';
  stopReason: string | null = null;
  model: string;
  usage: Record<string, unknown> | undefined;
  #id: unknown;
  #stopSequence: unknown = null;
  readonly #blocks: Record<string, unknown>[] = [];
  /** Partial JSON of each tool-use block's input, by block index. */
  readonly #json = new Map<number, string>();

  constructor(model: string) {
    this.model = model;
  }

  /** Applies one event; returns the text it adds, if any. */
  apply(event: unknown): string | undefined {
    if (!isRecord(event)) return undefined;
    switch (event['type']) {
      case 'message_start': {
        const message = event['message'];
        if (!isRecord(message)) return undefined;
        this.#id = message['id'];
        if (typeof message['model'] === 'string' && message['model'] !== '') this.model = message['model'];
        if (isRecord(message['usage'])) this.usage = { ...message['usage'] };
        return undefined;
      }
      case 'content_block_start': {
        const index = event['index'];
        const block = event['content_block'];
        if (typeof index === 'number' && isRecord(block)) this.#blocks[index] = { ...block };
        return undefined;
      }
      case 'content_block_delta':
        return this.#delta(event['index'], event['delta']);
      case 'content_block_stop':
        this.#finishBlock(event['index']);
        return undefined;
      case 'message_delta': {
        const delta = event['delta'];
        if (isRecord(delta)) {
          if (typeof delta['stop_reason'] === 'string') this.stopReason = delta['stop_reason'];
          if (delta['stop_sequence'] !== undefined) this.#stopSequence = delta['stop_sequence'];
        }
        // The delta's counts are cumulative; fields it leaves out or nulls keep their start values.
        const usage = event['usage'];
        if (isRecord(usage)) {
          this.usage ??= {};
          for (const [name, value] of Object.entries(usage)) {
            if (value !== null && value !== undefined) this.usage[name] = value;
          }
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  #delta(index: unknown, delta: unknown): string | undefined {
    if (!isRecord(delta)) return undefined;
    const block = typeof index === 'number' ? this.#blocks[index] : undefined;
    switch (delta['type']) {
      case 'text_delta': {
        const piece = delta['text'];
        if (typeof piece !== 'string' || piece === '') return undefined;
        this.text += piece;
        if (block !== undefined)
          block['text'] = `${typeof block['text'] === 'string' ? block['text'] : ''}${piece}`;
        return piece;
      }
      case 'input_json_delta':
        if (typeof index === 'number' && typeof delta['partial_json'] === 'string') {
          this.#json.set(index, (this.#json.get(index) ?? '') + delta['partial_json']);
        }
        return undefined;
      case 'thinking_delta':
      case 'signature_delta': {
        const field = delta['type'] === 'thinking_delta' ? 'thinking' : 'signature';
        const piece = delta[field];
        if (block !== undefined && typeof piece === 'string') {
          block[field] = `${typeof block[field] === 'string' ? block[field] : ''}${piece}`;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  #finishBlock(index: unknown): void {
    if (typeof index !== 'number') return;
    const json = this.#json.get(index);
    const block = this.#blocks[index];
    if (json === undefined || block === undefined) return;
    try {
      block['input'] = json === '' ? {} : JSON.parse(json);
    } catch {
      // Kept as the text the server sent; the caller can see what went wrong.
      block['input'] = json;
    }
  }

  toMessage(): Record<string, unknown> {
    return {
      id: this.#id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: this.#blocks.filter((block) => block !== undefined),
      stop_reason: this.stopReason,
      stop_sequence: this.#stopSequence,
      usage: this.usage,
    };
  }
}

/** A promise that rejects when `signal` aborts; `dispose` drops its listener. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  // Only ever awaited through Promise.race; never let it count as unhandled.
  promise.catch(() => {});
  return { promise, dispose };
}

function requestOptions(signal: AbortSignal) {
  return { signal, maxRetries: 0, timeout: SDK_TIMEOUT_MS };
}

/**
 * The Messages API body for `request`: `{ model, max_tokens, messages, system?, temperature?,
 * ...params }`, with `stream: true` when streaming and no `stream` otherwise. See `anthropic()` for
 * how messages and `responseFormat` are mapped. Throws `invalid_request` for a `tool` message.
 */
export function buildAnthropicBody(
  request: ProviderRequest,
  defaultMaxTokens: number,
  stream: boolean,
): Body {
  const system: ChatMessage['content'][] = [];
  const messages: { role: 'user' | 'assistant'; content: ChatMessage['content'] }[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(message.content);
        break;
      case 'user':
      case 'assistant':
        messages.push({ role: message.role, content: message.content });
        break;
      default:
        throw new VolleyError(
          'invalid_request',
          `The Anthropic Messages API has no "${String(message.role)}" role. Send tool results as ` +
            '"tool_result" content blocks in a user message instead.',
        );
    }
  }
  const instruction = jsonInstruction(request.responseFormat);
  if (instruction !== undefined) system.push(instruction);

  const body: Body = {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body['system'] = joinSystem(system);
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  Object.assign(body, request.params);
  if (stream) body['stream'] = true;
  else delete body['stream'];
  return body;
}

/** The system-prompt addition for a JSON `responseFormat`; undefined for text. */
function jsonInstruction(format: ResponseFormat | undefined): string | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return JSON_OBJECT_INSTRUCTION;
  // OpenAI's shape is `{ name, schema, strict }`; a bare schema is taken as it is.
  const spec = format.json_schema;
  const schema = isRecord(spec['schema']) ? spec['schema'] : spec;
  return (
    'Answer with one valid JSON value that conforms to the JSON Schema below, and nothing else: ' +
    `no prose before or after it and no Markdown code fences.\n${JSON.stringify(schema)}`
  );
}

/** Strings only: joined with blank lines. Any content parts: one list of text blocks. */
function joinSystem(parts: readonly ChatMessage['content'][]): string | unknown[] {
  if (parts.every((part) => typeof part === 'string')) return parts.join('\n\n');
  return parts.flatMap((part) => (typeof part === 'string' ? [{ type: 'text', text: part }] : [...part]));
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Anthropic's usage → `Usage`: prompt tokens are `input_tokens` plus the cache writes and reads
 * (`cache_creation_input_tokens`, `cache_read_input_tokens`), which Anthropic counts separately;
 * completion tokens are `output_tokens`. Undefined when none is reported.
 */
export function readAnthropicUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = count(usage['input_tokens']);
  const cacheWrite = count(usage['cache_creation_input_tokens']);
  const cacheRead = count(usage['cache_read_input_tokens']);
  const output = count(usage['output_tokens']);
  if (input === undefined && cacheWrite === undefined && cacheRead === undefined && output === undefined) {
    return undefined;
  }
  const promptTokens = (input ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0);
  const completionTokens = output ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function describeBody(data: unknown): string {
  if (data === undefined || data === null) return 'the body was empty';
  if (typeof data === 'string') return data === '' ? 'the body was empty' : 'the body was not JSON';
  if (!isRecord(data)) return 'the body was not a JSON object';
  return 'no "content" list';
}
