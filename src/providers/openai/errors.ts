/**
 * How OpenAI-compatible servers (OpenAI, Azure OpenAI, vLLM, Ollama, ...) describe their errors.
 * The only place `openai` SDK errors are read; nothing above the provider sees them.
 */
import type { VolleyError, VolleyErrorCode } from '../../errors.js';
import { codeForStatus, notFoundAdvice, statusLabel } from '../advice.js';
import { type ErrorContext, mapSdkError, type StatusError, sdkMessage, sdkOf } from '../errors.js';
import { isRecord, nonEmpty, toHeaders } from '../shared.js';

export type OpenAIModule = typeof import('openai');

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
  readonly message: string | undefined;
  readonly code: string | undefined;
  /** A numeric `code` (vLLM puts the HTTP status there). */
  readonly numericCode: number | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  /** Azure's `innererror.code`, which names a content filter hit. */
  readonly innerCode: string | undefined;
}

/** `{ message, type, param, code, innererror }`, falling back to the SDK's own fields. */
function readBody(error: StatusError): ErrorBody {
  const sdk = error as { code?: unknown; type?: unknown; param?: unknown };
  const body = isRecord(error.error) ? error.error : {};
  const code = body['code'] ?? sdk.code;
  const inner = isRecord(body['innererror']) ? body['innererror'] : {};
  return {
    message: nonEmpty(body['message']) ?? sdkMessage(error.message),
    code: nonEmpty(code),
    numericCode: typeof code === 'number' ? code : undefined,
    type: nonEmpty(body['type'] ?? sdk.type),
    param: nonEmpty(body['param'] ?? sdk.param),
    innerCode: nonEmpty(inner['code']),
  };
}

function classify(status: number | undefined, body: ErrorBody): VolleyErrorCode {
  const contextLength =
    body.code === 'context_length_exceeded' || CONTEXT_LENGTH_MESSAGE.test(body.message ?? '');
  const filtered = [body.code, body.innerCode].some(
    (code) => code !== undefined && CONTENT_FILTER_CODES.has(code),
  );
  const quota =
    body.code === 'insufficient_quota' ||
    body.type === 'insufficient_quota' ||
    QUOTA_MESSAGE.test(body.message ?? '');
  if (status === undefined) {
    // An error inside a 200 stream has no status; vLLM names one in `code`.
    if (body.numericCode !== undefined && body.numericCode >= 400) return classify(body.numericCode, body);
    if (contextLength) return 'context_length_exceeded';
    if (filtered) return 'content_filtered';
    if (quota) return 'quota_exceeded';
    if (body.code === 'rate_limit_exceeded' || body.type === 'rate_limit_exceeded') return 'rate_limited';
    return body.type === 'invalid_request_error' ? 'bad_request' : 'server_error';
  }
  if (status === 400 && contextLength) return 'context_length_exceeded';
  if (status === 400 && filtered) return 'content_filtered';
  if (status === 429 && quota) return 'quota_exceeded';
  return codeForStatus(status);
}

/** The advice only an OpenAI-compatible server's errors allow; else `genericAdvice` is used. */
function advise(code: VolleyErrorCode, status: number | undefined, body: ErrorBody, context: ErrorContext) {
  if (code === 'bad_request' && body.param !== undefined) {
    return `The server rejected the request as invalid (${statusLabel(status)}). Check the "${body.param}" parameter. Fix the request; retrying will not help.`;
  }
  if (code === 'not_found') {
    return notFoundAdvice(
      status,
      context,
      'exists there and that the base URL ends with the API prefix (usually /v1)',
    );
  }
  return undefined;
}

/**
 * Maps what the `openai` SDK, or the fetch beneath it, threw to a `VolleyError` whose message says
 * what to do next. Pure; messages, causes and `toJSON()` never hold a key.
 */
export function mapOpenAIError(error: unknown, module: OpenAIModule, context: ErrorContext): VolleyError {
  const sdk = sdkOf(module, module.OpenAIError, 'OpenAI', 'an OpenAI-compatible API');
  return mapSdkError(error, sdk, context, (error) => {
    const body = readBody(error);
    const headers = toHeaders(error.headers);
    const code = classify(error.status, body);
    const requestID = nonEmpty(error.requestID) ?? nonEmpty(headers?.get('x-request-id'));
    return {
      code,
      advice: advise(code, error.status, body, context),
      headers,
      requestID,
      message: body.message,
    };
  });
}
