/**
 * How OpenAI-compatible servers (OpenAI, Azure OpenAI, vLLM, Ollama, ...) describe their errors,
 * for `mapSdkError`. This is the only place `openai` SDK errors are interpreted; nothing above the
 * provider sees them.
 */
import {
  APIError as SDKAPIError,
  APIConnectionError as SDKConnectionError,
  APIConnectionTimeoutError as SDKConnectionTimeoutError,
  OpenAIError as SDKOpenAIError,
  APIUserAbortError as SDKUserAbortError,
} from 'openai';
import type { VolleyError, VolleyErrorCode } from '../errors.js';
import { codeForStatus, notFoundAdvice } from './http-status.js';
import type { SdkErrorBody, SdkErrorContext, SdkErrorProfile, SdkStatusError } from './sdk-error-profile.js';
import { mapSdkError, sdkMessage } from './sdk-errors.js';
import { isRecord } from './shared.js';

/** What the provider knows about the failed call, to make messages precise. All optional. */
export type OpenAIErrorContext = SdkErrorContext;

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
interface ErrorBody extends SdkErrorBody {
  readonly code: string | undefined;
  /** A numeric `code` (vLLM puts the HTTP status there). */
  readonly numericCode: number | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  /** Azure's `innererror.code`, which names a content filter hit. */
  readonly innerCode: string | undefined;
}

/** Reads `{ message, type, param, code, innererror }`, falling back to the SDK's own fields. */
function readBody(error: SdkStatusError): ErrorBody {
  const sdk = error as { code?: unknown; type?: unknown; param?: unknown };
  const body = isRecord(error.error) ? error.error : {};
  const code = body['code'] ?? sdk.code;
  const inner = isRecord(body['innererror']) ? body['innererror'] : {};
  const message = body['message'];
  const type = body['type'] ?? sdk.type;
  const param = body['param'] ?? sdk.param;
  return {
    code: typeof code === 'string' ? code : undefined,
    numericCode: typeof code === 'number' ? code : undefined,
    type: typeof type === 'string' ? type : undefined,
    param: typeof param === 'string' ? param : undefined,
    innerCode: typeof inner['code'] === 'string' ? inner['code'] : undefined,
    message: typeof message === 'string' ? message : sdkMessage(error.message),
  };
}

function isContextLength(body: ErrorBody): boolean {
  return body.code === 'context_length_exceeded' || CONTEXT_LENGTH_MESSAGE.test(body.message ?? '');
}

function isContentFilter(body: ErrorBody): boolean {
  return [body.code, body.innerCode].some((code) => code !== undefined && CONTENT_FILTER_CODES.has(code));
}

function isQuota(body: ErrorBody): boolean {
  return (
    body.code === 'insufficient_quota' ||
    body.type === 'insufficient_quota' ||
    QUOTA_MESSAGE.test(body.message ?? '')
  );
}

function classifyStatus(status: number, body: ErrorBody): VolleyErrorCode {
  if (status === 400 && isContextLength(body)) return 'context_length_exceeded';
  if (status === 400 && isContentFilter(body)) return 'content_filtered';
  if (status === 429 && isQuota(body)) return 'quota_exceeded';
  return codeForStatus(status);
}

function classifyStreamError(body: ErrorBody): VolleyErrorCode {
  if (body.numericCode !== undefined && body.numericCode >= 400)
    return classifyStatus(body.numericCode, body);
  if (isContextLength(body)) return 'context_length_exceeded';
  if (isContentFilter(body)) return 'content_filtered';
  if (isQuota(body)) return 'quota_exceeded';
  if (body.code === 'rate_limit_exceeded' || body.type === 'rate_limit_exceeded') return 'rate_limited';
  if (body.type === 'invalid_request_error') return 'bad_request';
  return 'server_error';
}

function advise(
  code: VolleyErrorCode,
  label: string,
  _status: number | undefined,
  body: ErrorBody,
  context: SdkErrorContext,
): string | undefined {
  switch (code) {
    case 'bad_request':
      return body.param === undefined
        ? undefined
        : `The server rejected the request as invalid (${label}). Check the "${body.param}" parameter. Fix the request; retrying will not help.`;
    case 'authentication':
      return `The server rejected the API key (${label}). Check ${context.keyEnv ?? 'OPENAI_API_KEY'} or the --api-key/--base-url you passed.`;
    case 'permission_denied':
      return `The API key is not allowed to do this (${label}). Check the key's organization, project and model access.`;
    case 'not_found':
      return notFoundAdvice(
        label,
        context,
        'exists there and that the base URL ends with the API prefix (usually /v1)',
      );
    default:
      return undefined;
  }
}

const OPENAI_ERRORS: SdkErrorProfile<ErrorBody> = {
  classes: {
    userAbort: SDKUserAbortError,
    connectionTimeout: SDKConnectionTimeoutError,
    connection: SDKConnectionError,
    status: SDKAPIError,
    base: SDKOpenAIError,
  },
  sdkName: 'OpenAI',
  api: 'an OpenAI-compatible API',
  server: 'the server',
  requestIDHeader: 'x-request-id',
  readBody,
  classifyStatus,
  classifyStreamError,
  advise,
};

/**
 * Maps an error thrown by the `openai` SDK, or by the fetch it uses, to a `VolleyError` whose
 * message tells the user what to do next. Pure: reads `error`, never changes it. Messages never
 * contain the configured key (`context.secrets`) or anything shaped like one.
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext = {}): VolleyError {
  return mapSdkError(error, OPENAI_ERRORS, context);
}
