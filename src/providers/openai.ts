/**
 * The provider for every OpenAI-compatible chat completions server (OpenAI, Azure OpenAI, vLLM,
 * Ollama, LM Studio, Groq, Together), built on the official `openai` SDK. One `send` is one HTTP
 * attempt: the SDK's own retries are off and its timeout is out of the way, because the scheduler
 * and the retry policy own both.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { ConnectionError, VolleyError } from '../errors.js';
import { mapOpenAIError, type OpenAIErrorContext } from './openai-errors.js';
import {
  abortReason,
  checkOptionKeys,
  checkURL,
  displayURL,
  type Env,
  envOption,
  type FetchFunction,
  fingerprint,
  functionOption,
  headersOption,
  isRecord,
  quote,
  readEnv,
  stringOption,
  toHeaders,
  urlOption,
} from './shared.js';
import type { Provider, ProviderRequest, ProviderResponse, SendContext, Usage } from './types.js';

export type { FetchFunction } from './shared.js';

export interface OpenAIProviderOptions {
  /**
   * API key, sent as a bearer token. Local servers (vLLM, Ollama, LM Studio) usually need none:
   * when no key is configured but a base URL is, the placeholder `'not-needed'` is sent.
   * @default env `OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Base URL of the API, including its prefix, e.g. `http://localhost:8000/v1`.
   * @default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1`
   */
  readonly baseURL?: string | undefined;
  /**
   * Model used when a request names none.
   * @default undefined (every request must name its model)
   */
  readonly defaultModel?: string | undefined;
  /**
   * OpenAI organization id, sent as `OpenAI-Organization`.
   * @default env `OPENAI_ORG_ID`
   */
  readonly organization?: string | undefined;
  /**
   * OpenAI project id, sent as `OpenAI-Project`.
   * @default env `OPENAI_PROJECT_ID`
   */
  readonly project?: string | undefined;
  /**
   * Extra headers sent with every request.
   * @default {}
   */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * The fetch used for HTTP, e.g. an in-process simulator's.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchFunction | undefined;
  /**
   * Where the `OPENAI_*` defaults are read from; injected by tests.
   * @default process.env
   */
  readonly env?: Env | undefined;
  /**
   * An `OpenAI` (or `AzureOpenAI`) client to send through instead of building one. Excludes the
   * connection options (`apiKey`, `baseURL`, `organization`, `project`, `defaultHeaders`,
   * `fetch`). Its retries and timeout are overridden per request.
   * @default undefined (a client is built from the other options)
   */
  readonly client?: OpenAI | undefined;
}

export interface AzureOpenAIProviderOptions {
  /**
   * Azure OpenAI key, sent as `api-key`. Excludes `azureADTokenProvider`.
   * @default env `AZURE_OPENAI_API_KEY`
   */
  readonly apiKey?: string | undefined;
  /**
   * Returns a Microsoft Entra ID token for each request, instead of a key.
   * @default undefined
   */
  readonly azureADTokenProvider?: (() => Promise<string>) | undefined;
  /**
   * The resource endpoint, e.g. `https://my-resource.openai.azure.com`; `/openai` is appended.
   * Excludes `baseURL`.
   * @default env `AZURE_OPENAI_ENDPOINT`
   */
  readonly endpoint?: string | undefined;
  /**
   * The full base URL, e.g. `https://my-resource.openai.azure.com/openai`, for proxies.
   * @default `${endpoint}/openai`
   */
  readonly baseURL?: string | undefined;
  /**
   * The Azure OpenAI API version, e.g. `2024-10-21`. Required.
   * @default env `OPENAI_API_VERSION`
   */
  readonly apiVersion?: string | undefined;
  /**
   * The deployment every request goes to. Without it, each request's model names the deployment.
   * @default undefined
   */
  readonly deployment?: string | undefined;
  /**
   * Model used when a request names none.
   * @default the deployment
   */
  readonly defaultModel?: string | undefined;
  /** @default {} */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /** @default process.env */
  readonly env?: Env | undefined;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent to servers that ignore the key; the SDK refuses to build a client without one. */
const PLACEHOLDER_KEY = 'not-needed';
/**
 * The SDK's own timeout, kept far above any per-attempt timeout (Volley aborts through
 * `context.signal`) and below 2^31 ms, past which Node's timers fire at once.
 */
const SDK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const LOG_LEVELS = new Set(['off', 'error', 'warn', 'info', 'debug']);

const OPENAI_OPTIONS = [
  'apiKey',
  'baseURL',
  'defaultModel',
  'organization',
  'project',
  'defaultHeaders',
  'fetch',
  'env',
  'client',
] as const;
const CONNECTION_OPTIONS = [
  'apiKey',
  'baseURL',
  'organization',
  'project',
  'defaultHeaders',
  'fetch',
] as const;
const AZURE_OPTIONS = [
  'apiKey',
  'azureADTokenProvider',
  'endpoint',
  'baseURL',
  'apiVersion',
  'deployment',
  'defaultModel',
  'defaultHeaders',
  'fetch',
  'env',
] as const;

/**
 * A provider for an OpenAI-compatible server. Throws a `TypeError` naming the option for invalid
 * options, and a `VolleyError` with code `authentication` when neither a key nor a base URL is
 * configured (a key is required for api.openai.com; local servers need only the base URL).
 */
export function openai(options?: OpenAIProviderOptions): Provider {
  const fn = 'openai()';
  const opts = checkOptionKeys(fn, options, OPENAI_OPTIONS);
  const env = envOption(fn, opts);
  const defaultModel = stringOption(fn, opts, 'defaultModel');

  if (opts['client'] !== undefined) {
    const client = opts['client'];
    if (!isChatClient(client)) {
      throw new TypeError(
        `${fn}: option "client" must be an OpenAI client (new OpenAI(...) or new AzureOpenAI(...)).`,
      );
    }
    const clash = CONNECTION_OPTIONS.find((name) => opts[name] !== undefined);
    if (clash !== undefined) {
      throw new TypeError(
        `${fn}: option "${clash}" cannot be combined with "client"; configure the client itself instead.`,
      );
    }
    const key = typeof client.apiKey === 'string' && client.apiKey !== '' ? client.apiKey : undefined;
    const baseURL = displayURL(client.baseURL);
    const prefix = client instanceof AzureOpenAI ? 'azure-openai' : 'openai';
    return new OpenAIProvider({
      client,
      id: laneID(prefix, baseURL, key),
      defaultModel,
      baseURL,
      secrets: key === undefined ? [] : [key],
      keyEnv: prefix === 'azure-openai' ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY',
    });
  }

  const optionKey = stringOption(fn, opts, 'apiKey');
  const optionURL = urlOption(fn, opts, 'baseURL');
  const envURL = readEnv(env, 'OPENAI_BASE_URL');
  const configuredURL = optionURL ?? (envURL === undefined ? undefined : checkURL('OPENAI_BASE_URL', envURL));
  const key = optionKey ?? readEnv(env, 'OPENAI_API_KEY');
  if (key === undefined && configuredURL === undefined) {
    throw new VolleyError(
      'authentication',
      'No OpenAI API key is configured. Set OPENAI_API_KEY (or pass --api-key / apiKey), ' +
        'or pass --base-url / baseURL to use a local server such as vLLM or Ollama that needs no key.',
    );
  }
  const baseURL = configuredURL ?? DEFAULT_BASE_URL;
  const fetch = functionOption<FetchFunction>(fn, opts, 'fetch');
  const defaultHeaders = headersOption(fn, opts, 'defaultHeaders');
  const client = new OpenAI({
    apiKey: key ?? PLACEHOLDER_KEY,
    baseURL,
    organization: stringOption(fn, opts, 'organization') ?? readEnv(env, 'OPENAI_ORG_ID') ?? null,
    project: stringOption(fn, opts, 'project') ?? readEnv(env, 'OPENAI_PROJECT_ID') ?? null,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: sdkLogLevel(env),
    ...(defaultHeaders === undefined ? {} : { defaultHeaders }),
    ...(fetch === undefined ? {} : { fetch }),
  });
  const shownURL = displayURL(baseURL);
  return new OpenAIProvider({
    client,
    id: laneID('openai', shownURL, key),
    defaultModel,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
    keyEnv: 'OPENAI_API_KEY',
  });
}

/**
 * A provider for Azure OpenAI through the SDK's `AzureOpenAI`. Requests go to
 * `{baseURL}/deployments/{deployment or model}/chat/completions?api-version=...`.
 */
export function azureOpenAI(options?: AzureOpenAIProviderOptions): Provider {
  const fn = 'azureOpenAI()';
  const opts = checkOptionKeys(fn, options, AZURE_OPTIONS);
  const env = envOption(fn, opts);
  const optionKey = stringOption(fn, opts, 'apiKey');
  const tokenProvider = functionOption<() => Promise<string>>(fn, opts, 'azureADTokenProvider');
  if (optionKey !== undefined && tokenProvider !== undefined) {
    throw new TypeError(
      `${fn}: options "apiKey" and "azureADTokenProvider" are mutually exclusive; pass one.`,
    );
  }
  const optionEndpoint = urlOption(fn, opts, 'endpoint');
  const optionURL = urlOption(fn, opts, 'baseURL');
  if (optionEndpoint !== undefined && optionURL !== undefined) {
    throw new TypeError(`${fn}: options "endpoint" and "baseURL" are mutually exclusive; pass one.`);
  }
  const envEndpoint = readEnv(env, 'AZURE_OPENAI_ENDPOINT');
  const endpoint =
    optionEndpoint ??
    (envEndpoint === undefined ? undefined : checkURL('AZURE_OPENAI_ENDPOINT', envEndpoint));
  const baseURL = optionURL ?? (endpoint === undefined ? undefined : `${displayURL(endpoint)}/openai`);
  if (baseURL === undefined) {
    throw new TypeError(
      `${fn}: option "endpoint" is required (or set AZURE_OPENAI_ENDPOINT, or pass "baseURL").`,
    );
  }
  const apiVersion = stringOption(fn, opts, 'apiVersion') ?? readEnv(env, 'OPENAI_API_VERSION');
  if (apiVersion === undefined) {
    throw new TypeError(
      `${fn}: option "apiVersion" is required (or set OPENAI_API_VERSION), e.g. "2024-10-21".`,
    );
  }
  const key = tokenProvider === undefined ? (optionKey ?? readEnv(env, 'AZURE_OPENAI_API_KEY')) : undefined;
  if (key === undefined && tokenProvider === undefined) {
    throw new VolleyError(
      'authentication',
      'No Azure OpenAI key is configured. Set AZURE_OPENAI_API_KEY, pass apiKey, or pass azureADTokenProvider.',
    );
  }
  const deployment = stringOption(fn, opts, 'deployment');
  const fetch = functionOption<FetchFunction>(fn, opts, 'fetch');
  const defaultHeaders = headersOption(fn, opts, 'defaultHeaders');
  const client = new AzureOpenAI({
    ...(key === undefined ? {} : { apiKey: key }),
    ...(tokenProvider === undefined ? {} : { azureADTokenProvider: tokenProvider }),
    baseURL,
    apiVersion,
    ...(deployment === undefined ? {} : { deployment }),
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: sdkLogLevel(env),
    ...(defaultHeaders === undefined ? {} : { defaultHeaders }),
    ...(fetch === undefined ? {} : { fetch }),
  });
  const shownURL = displayURL(baseURL) + (deployment === undefined ? '' : `/deployments/${deployment}`);
  return new OpenAIProvider({
    client,
    id: laneID('azure-openai', shownURL, key, 'entra'),
    defaultModel: stringOption(fn, opts, 'defaultModel') ?? deployment,
    baseURL: shownURL,
    secrets: key === undefined ? [] : [key],
    keyEnv: 'AZURE_OPENAI_API_KEY',
  });
}

/**
 * `prefix:baseURL#account`, where account is the first 8 hex characters of sha256(key), or
 * `nokey` when no key is configured.
 */
function laneID(prefix: string, baseURL: string, key: string | undefined, account = 'nokey'): string {
  return `${prefix}:${baseURL}#${key === undefined ? account : fingerprint(key)}`;
}

/** The SDK logs to the console at `warn` by default, which would scribble over the CLI's output. */
function sdkLogLevel(env: Env): 'off' | 'error' | 'warn' | 'info' | 'debug' {
  const level = readEnv(env, 'OPENAI_LOG');
  return level !== undefined && LOG_LEVELS.has(level) ? (level as 'off') : 'off';
}

function isChatClient(value: unknown): value is OpenAI {
  if (value instanceof OpenAI) return true;
  if (!isRecord(value)) return false;
  const chat = (value as { chat?: { completions?: { create?: unknown } } }).chat;
  return typeof chat?.completions?.create === 'function' && typeof value['baseURL'] === 'string';
}

interface OpenAIProviderInit {
  readonly client: OpenAI;
  readonly id: string;
  readonly defaultModel: string | undefined;
  readonly baseURL: string;
  readonly secrets: readonly string[];
  readonly keyEnv: string;
}

/** Rethrown untouched: an exception from the caller's `onDelta` is the caller's, not the server's. */
class DeltaCallbackFailure {
  constructor(readonly error: unknown) {}
}

type Body = Record<string, unknown>;

class OpenAIProvider implements Provider {
  readonly id: string;
  readonly defaultModel: string | undefined;
  // Private so that logging or serializing the provider never shows the client (and its key).
  readonly #client: OpenAI;
  readonly #baseURL: string;
  readonly #secrets: readonly string[];
  readonly #keyEnv: string;

  constructor(init: OpenAIProviderInit) {
    this.id = init.id;
    this.defaultModel = init.defaultModel;
    this.#client = init.client;
    this.#baseURL = init.baseURL;
    this.#secrets = init.secrets;
    this.#keyEnv = init.keyEnv;
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
      throw mapOpenAIError(error, this.#errorContext(request.model));
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  #errorContext(model: string): OpenAIErrorContext {
    return { model, baseURL: this.#baseURL, secrets: this.#secrets, keyEnv: this.#keyEnv };
  }

  async #complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const body = buildBody(request, false);
    const aborted = whenAborted(signal);
    let answer: { data: unknown; response: Response };
    try {
      answer = await Promise.race([
        this.#client.chat.completions
          .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, requestOptions(signal))
          .withResponse(),
        aborted.promise,
      ]);
    } finally {
      aborted.dispose();
    }
    const { data, response } = answer;
    const headers = toHeaders(response.headers) ?? new Headers();
    const raw: unknown = data;
    const requestID = readRequestID(raw, headers);
    const meta = { status: response.status, headers, requestID };

    const choice = isRecord(raw) && Array.isArray(raw['choices']) ? raw['choices'][0] : undefined;
    const message = isRecord(choice) ? choice['message'] : undefined;
    if (!isRecord(raw) || !isRecord(message)) {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.#baseURL} answered without a chat completion choice ` +
          `(${describeBody(raw)}). Check that the base URL points at an OpenAI-compatible /chat/completions API.`,
        meta,
      );
    }
    const content = message['content'];
    if (content !== null && content !== undefined && typeof content !== 'string') {
      throw new VolleyError(
        'malformed_response',
        `The server at ${this.#baseURL} sent message content that is not text. Check that it is OpenAI-compatible.`,
        meta,
      );
    }
    const text = content ?? '';
    const finishReason = typeof choice?.['finish_reason'] === 'string' ? choice['finish_reason'] : null;
    const refusal = typeof message['refusal'] === 'string' ? message['refusal'] : '';
    this.#checkFiltered(text, refusal, finishReason, meta);
    return {
      text,
      usage: readUsage(raw['usage']),
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
    const body = buildBody(request, true);
    // Every wait is raced against the signal: the SDK counts on fetch to fail the body when the
    // signal aborts, and an injected fetch (a simulator, a test double) may not.
    const aborted = whenAborted(signal);
    let iterator: AsyncIterator<unknown> | undefined;
    let finished = false;
    try {
      const { data: stream, response } = await Promise.race([
        this.#client.chat.completions
          .create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, requestOptions(signal))
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
    const headers = toHeaders(response.headers) ?? new Headers();
    const requestID = headers.get('x-request-id') ?? undefined;

    let text = '';
    let refusal = '';
    let finishReason: string | null = null;
    let usage: Usage | undefined;
    let rawUsage: unknown;
    let model = request.model;
    let id: unknown;
    let created: unknown;
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done === true) break;
      const chunk: unknown = step.value;
      if (!isRecord(chunk)) continue;
      if (typeof chunk['model'] === 'string' && chunk['model'] !== '') model = chunk['model'];
      id ??= chunk['id'];
      created ??= chunk['created'];
      if (isRecord(chunk['usage'])) {
        rawUsage = chunk['usage'];
        usage = readUsage(rawUsage);
      }
      const choices = chunk['choices'];
      if (!Array.isArray(choices)) continue;
      for (const choice of choices) {
        // Only the first choice is reported; `n > 1` streams interleave the others.
        if (!isRecord(choice) || (choice['index'] ?? 0) !== 0) continue;
        const delta = choice['delta'];
        if (isRecord(delta)) {
          const piece = delta['content'];
          if (typeof piece === 'string' && piece !== '') {
            text += piece;
            try {
              onDelta(piece);
            } catch (error) {
              throw new DeltaCallbackFailure(error);
            }
          }
          if (typeof delta['refusal'] === 'string') refusal += delta['refusal'];
        }
        if (typeof choice['finish_reason'] === 'string') finishReason = choice['finish_reason'];
      }
    }
    // The SDK ends the iteration quietly when the attempt is aborted; `send` turns this into the
    // abort's reason.
    signal.throwIfAborted();
    const meta = { status: response.status, headers, requestID };
    if (finishReason === null) {
      throw new ConnectionError(
        `The stream from ${this.#baseURL} ended before the server finished its answer. ` +
          'A later attempt may succeed; if it keeps happening, call without streaming.',
        meta,
      );
    }
    this.#checkFiltered(text, refusal, finishReason, meta);
    const raw = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: refusal === '' ? null : refusal },
          finish_reason: finishReason,
        },
      ],
      usage: rawUsage,
    };
    return { text, usage, finishReason, model, requestID, headers, raw };
  }

  /** A refusal, or a filtered answer with no text, is not an answer the caller can use. */
  #checkFiltered(
    text: string,
    refusal: string,
    finishReason: string | null,
    meta: { status: number; headers: Headers; requestID: string | undefined },
  ): void {
    if (refusal !== '') {
      throw new VolleyError(
        'content_filtered',
        `The model refused to answer: "${quote(refusal, this.#secrets, 200)}". ` +
          'Rephrase the request; retrying the same input will usually not help.',
        meta,
      );
    }
    if (text === '' && finishReason === 'content_filter') {
      throw new VolleyError(
        'content_filtered',
        "The server's content filter withheld the answer. Rephrase the request; retrying the same input will usually not help.",
        meta,
      );
    }
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
 * `{ model, messages, max_tokens?, temperature?, response_format?, ...params }`. `params` win,
 * and `max_tokens` is left out when they set `max_completion_tokens` (newer OpenAI models reject
 * both together). `stream` is always what the call needs.
 */
export function buildBody(request: ProviderRequest, stream: boolean): Body {
  const params = request.params;
  const body: Body = { model: request.model, messages: request.messages };
  if (request.maxTokens !== undefined && !Object.hasOwn(params, 'max_completion_tokens')) {
    body['max_tokens'] = request.maxTokens;
  }
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.responseFormat !== undefined) body['response_format'] = request.responseFormat;
  Object.assign(body, params);
  if (stream) {
    body['stream'] = true;
    if (!Object.hasOwn(params, 'stream_options')) body['stream_options'] = { include_usage: true };
    else if (body['stream_options'] === undefined || body['stream_options'] === null)
      delete body['stream_options'];
  } else {
    delete body['stream'];
    delete body['stream_options'];
  }
  return body;
}

function readRequestID(data: unknown, headers: Headers): string | undefined {
  const fromBody = isRecord(data) ? data['_request_id'] : undefined;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  return headers.get('x-request-id') ?? undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `{ prompt_tokens, completion_tokens, total_tokens }` → `Usage`; undefined when none reported. */
export function readUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage['prompt_tokens']);
  const completion = count(usage['completion_tokens']);
  const total = count(usage['total_tokens']);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? Math.max(0, (total ?? 0) - promptTokens);
  return { promptTokens, completionTokens, totalTokens: total ?? promptTokens + completionTokens };
}

function describeBody(data: unknown): string {
  if (data === undefined || data === null) return 'the body was empty';
  if (typeof data === 'string') return data === '' ? 'the body was empty' : 'the body was not JSON';
  if (!isRecord(data)) return 'the body was not a JSON object';
  if (!Array.isArray(data['choices'])) return 'no "choices" field';
  return data['choices'].length === 0 ? '"choices" was empty' : 'the first choice had no "message"';
}
