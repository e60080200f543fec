/**
 * Maps whatever the `openai` SDK (or the fetch beneath it) throws to a `VolleyError`. This is the
 * only place OpenAI SDK errors are interpreted; nothing above the provider sees them.
 */
import {
  APIError as SDKAPIError,
  APIConnectionError as SDKConnectionError,
  APIConnectionTimeoutError as SDKConnectionTimeoutError,
  OpenAIError as SDKOpenAIError,
  APIUserAbortError as SDKUserAbortError,
} from 'openai';
import {
  AbortError,
  APIError,
  ConnectionError,
  TimeoutError,
  VolleyError,
  type VolleyErrorCode,
} from '../errors.js';
import { isRecord, quote, redactSecrets, toHeaders } from './shared.js';

/** What the provider knows about the failed call, to make messages precise. All optional. */
export interface OpenAIErrorContext {
  /** The model the request named; quoted in 404 messages. */
  readonly model?: string | undefined;
  /** The server the request went to; quoted in 404 and connection messages. */
  readonly baseURL?: string | undefined;
  /** Credentials to scrub from every message, on top of anything shaped like an API key. */
  readonly secrets?: readonly string[] | undefined;
  /** The environment variable the key came from, named in 401 messages. */
  readonly keyEnv?: string | undefined;
}

const CONTENT_FILTER_CODES = new Set([
  'content_filter',
  'content_policy_violation',
  'ResponsibleAIPolicyViolation',
]);
const CONTEXT_LENGTH_MESSAGE =
  /maximum context length|context[_ ]length[_ ]exceeded|context window|prompt is too long/i;
const QUOTA_MESSAGE =
  /insufficient[_ ]quota|exceeded your current quota|billing|credit balance|out of credits?|insufficient (?:credits?|balance|funds)/i;

/** The parts of an error body the mapping looks at, whichever server sent it. */
interface ErrorBody {
  readonly code: string | undefined;
  /** A numeric `code` (vLLM puts the HTTP status there). */
  readonly numericCode: number | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly innerCode: string | undefined;
  /** The server's own message, unredacted. */
  readonly message: string | undefined;
}

/**
 * Maps an error thrown by the `openai` SDK, or by the fetch it uses, to a `VolleyError` whose
 * message tells the user what to do next. Pure: reads `error`, never changes it. Messages never
 * contain the configured key (`context.secrets`) or anything shaped like one.
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext = {}): VolleyError {
  const secrets = context.secrets ?? [];
  if (error instanceof VolleyError) return error;

  // Subclasses before their parents: the timeout is a connection error, and both are APIErrors.
  if (error instanceof SDKUserAbortError) return new AbortError();
  if (error instanceof SDKConnectionTimeoutError) {
    return new TimeoutError(
      'timeout',
      `The connection to ${where(context)} timed out before an answer arrived. ` +
        'Check that the server is reachable and not overloaded; a later attempt may succeed.',
      { cause: safeCause(error, secrets) },
    );
  }
  if (error instanceof SDKConnectionError) return connectionError(error.cause ?? error, context);

  if (error instanceof SDKAPIError || isStatusErrorLike(error)) return statusError(error, context);

  if (error instanceof SyntaxError) {
    return new VolleyError(
      'malformed_response',
      `The server at ${where(context)} sent a body that is not valid JSON (${quote(error.message, secrets, 120)}). ` +
        'Check that the base URL points at an OpenAI-compatible API.',
      { cause: safeCause(error, secrets) },
    );
  }
  if (error instanceof SDKOpenAIError) {
    if (/no body/i.test(error.message)) {
      return new VolleyError(
        'malformed_response',
        `The server at ${where(context)} sent a response without a body. ` +
          'Check that the base URL points at an OpenAI-compatible API.',
        { cause: safeCause(error, secrets) },
      );
    }
    return new VolleyError(
      'invalid_request',
      `The OpenAI SDK refused to send the request: ${quote(error.message, secrets)}. Check the provider options.`,
      { cause: safeCause(error, secrets) },
    );
  }
  if (isRecord(error) && (error as { name?: unknown }).name === 'AbortError') {
    return new AbortError(undefined, { cause: error });
  }
  // Anything else comes from the transport, typically while a streamed body is being read
  // (`TypeError: terminated`, an ECONNRESET): the SDK does not wrap those.
  return connectionError(error, context);
}

function where(context: OpenAIErrorContext): string {
  return context.baseURL ?? 'the server';
}

/** A status error thrown by another copy of the SDK, which `instanceof` would miss. */
function isStatusErrorLike(error: unknown): error is SDKAPIError {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'headers' in error &&
    'error' in error
  );
}

function readBody(error: SDKAPIError): ErrorBody {
  const body = isRecord(error.error) ? error.error : {};
  const code = body['code'] ?? error.code;
  const inner = isRecord(body['innererror']) ? body['innererror'] : {};
  const message = body['message'];
  const type = body['type'] ?? error.type;
  const param = body['param'] ?? error.param;
  return {
    code: typeof code === 'string' ? code : undefined,
    numericCode: typeof code === 'number' ? code : undefined,
    type: typeof type === 'string' ? type : undefined,
    param: typeof param === 'string' ? param : undefined,
    innerCode: typeof inner['code'] === 'string' ? inner['code'] : undefined,
    message: typeof message === 'string' ? message : fallbackMessage(error.message),
  };
}

/** The SDK's own message minus its status prefix, or nothing when it only says there was no body. */
function fallbackMessage(message: string): string | undefined {
  const text = message.replace(/^\d{3} /, '');
  return /^status code \(no body\)$|^\(no status code or body\)$/.test(text) || text === ''
    ? undefined
    : text;
}

function isContextLength(body: ErrorBody): boolean {
  return body.code === 'context_length_exceeded' || CONTEXT_LENGTH_MESSAGE.test(body.message ?? '');
}

function isContentFilter(body: ErrorBody): boolean {
  return (
    (body.code !== undefined && CONTENT_FILTER_CODES.has(body.code)) ||
    (body.innerCode !== undefined && CONTENT_FILTER_CODES.has(body.innerCode))
  );
}

function isQuota(body: ErrorBody): boolean {
  return (
    body.code === 'insufficient_quota' ||
    body.type === 'insufficient_quota' ||
    QUOTA_MESSAGE.test(body.message ?? '')
  );
}

function codeForStatus(status: number, body: ErrorBody): VolleyErrorCode {
  switch (status) {
    case 400:
      if (isContextLength(body)) return 'context_length_exceeded';
      if (isContentFilter(body)) return 'content_filtered';
      return 'bad_request';
    case 401:
      return 'authentication';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 408:
      return 'request_timeout';
    case 409:
      return 'conflict';
    case 422:
      return 'unprocessable';
    case 429:
      return isQuota(body) ? 'quota_exceeded' : 'rate_limited';
    default:
      return status >= 400 && status < 500 ? 'bad_request' : 'server_error';
  }
}

/** An error reported inside a 200 stream has no status: classify it by its body alone. */
function codeForStreamError(body: ErrorBody): VolleyErrorCode {
  if (body.numericCode !== undefined && body.numericCode >= 400) return codeForStatus(body.numericCode, body);
  if (isContextLength(body)) return 'context_length_exceeded';
  if (isContentFilter(body)) return 'content_filtered';
  if (isQuota(body)) return 'quota_exceeded';
  if (body.code === 'rate_limit_exceeded' || body.type === 'rate_limit_exceeded') return 'rate_limited';
  if (body.type === 'invalid_request_error') return 'bad_request';
  return 'server_error';
}

function statusError(error: SDKAPIError, context: OpenAIErrorContext): VolleyError {
  const secrets = context.secrets ?? [];
  const body = readBody(error);
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code = status === undefined ? codeForStreamError(body) : codeForStatus(status, body);
  const headers = toHeaders(error.headers);
  const requestID = error.requestID ?? headers?.get('x-request-id') ?? undefined;
  const said = body.message ? ` Server said: "${quote(body.message, secrets)}"` : '';
  const label = status === undefined ? 'in the stream' : String(status);
  const message = `${advice(code, label, body, context)}${said}`;
  return new APIError(code, message, { status, headers, requestID, cause: safeCause(error, secrets) });
}

function advice(code: VolleyErrorCode, label: string, body: ErrorBody, context: OpenAIErrorContext): string {
  switch (code) {
    case 'context_length_exceeded':
      return `The prompt and maxTokens together exceed the model's context window (${label}). Shorten the input or lower maxTokens; retrying will not help.`;
    case 'content_filtered':
      return `The server's content filter blocked the request (${label}). Rephrase the input; retrying the same input will not help.`;
    case 'bad_request': {
      const param = body.param === undefined ? '' : ` Check the "${body.param}" parameter.`;
      return `The server rejected the request as invalid (${label}).${param} Fix the request; retrying will not help.`;
    }
    case 'authentication':
      return `The server rejected the API key (${label}). Check ${context.keyEnv ?? 'OPENAI_API_KEY'} or the --api-key/--base-url you passed.`;
    case 'permission_denied':
      return `The API key is not allowed to do this (${label}). Check the key's organization, project and model access.`;
    case 'not_found': {
      const model = context.model === undefined ? 'the model' : `model "${context.model}"`;
      const at = context.baseURL === undefined ? '' : ` at ${context.baseURL}`;
      return `The server${at} has no such model or endpoint (${label}). Check that ${model} exists there and that the base URL ends with the API prefix (usually /v1).`;
    }
    case 'request_timeout':
      return `The server gave up waiting for the request (${label}). A later attempt may succeed; if it keeps happening, send smaller requests.`;
    case 'conflict':
      return `The server reported a conflict (${label}). A later attempt may succeed.`;
    case 'unprocessable':
      return `The server could not process the request (${label}). Check the request parameters; retrying will not help.`;
    case 'rate_limited':
      return `The server is rate limiting this account (${label}). If this persists, lower the concurrency or the configured rate limits.`;
    case 'quota_exceeded':
      return `The account has run out of quota or credit (${label}). Add credit or raise the limit; retrying will not help.`;
    default:
      return `The server failed to answer (${label}). This is usually temporary; a later attempt may succeed.`;
  }
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name did not resolve',
  EAI_AGAIN: 'the host name did not resolve',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
};

/** Walks an error's `cause` chain for a system error code and the innermost message. */
function describeFailure(error: unknown): { code: string | undefined; detail: string | undefined } {
  let code: string | undefined;
  let detail: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'object') {
      const candidate = (current as { code?: unknown }).code;
      if (code === undefined && typeof candidate === 'string') code = candidate;
      const message = (current as { message?: unknown }).message;
      if (typeof message === 'string' && message !== '') detail = message;
      current = (current as { cause?: unknown }).cause;
    } else {
      if (typeof current === 'string') detail = current;
      break;
    }
  }
  return { code, detail };
}

function connectionError(cause: unknown, context: OpenAIErrorContext): ConnectionError {
  const secrets = context.secrets ?? [];
  const { code, detail } = describeFailure(cause);
  const known = code === undefined ? undefined : NETWORK_CODES[code];
  const what =
    known !== undefined
      ? `${known} (${code})`
      : detail !== undefined
        ? quote(detail, secrets, 160)
        : 'the connection failed';
  return new ConnectionError(
    `Could not get an answer from ${where(context)}: ${what}. ` +
      'Check the base URL and that the server is running; a later attempt may succeed.',
    { cause: safeCause(cause, secrets) },
  );
}

/**
 * The error to keep as `cause`: the original when nothing in its message or body looks like a
 * credential, otherwise a plain `Error` carrying the redacted message (SDK 401 messages quote a
 * partly masked key).
 */
function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error)) return cause;
  const body = (cause as { error?: unknown }).error;
  let bodyText = '';
  if (body !== undefined) {
    try {
      bodyText = JSON.stringify(body) ?? '';
    } catch {
      bodyText = '';
    }
  }
  if (
    redactSecrets(cause.message, secrets) === cause.message &&
    redactSecrets(bodyText, secrets) === bodyText
  ) {
    return cause;
  }
  const copy = new Error(redactSecrets(cause.message, secrets));
  copy.name = cause.constructor.name;
  return copy;
}
