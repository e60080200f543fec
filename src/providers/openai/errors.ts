/**
 * How OpenAI-compatible servers (OpenAI, Azure OpenAI, vLLM, Ollama, ...) describe their errors.
 * The only place `openai` SDK errors are read; nothing above the provider sees them.
 */
import type { VolleyError, VolleyErrorCode } from '../../errors.js';
import { codeForStatus, notFoundAdvice, statusLabel } from '../advice.js';
import { type ErrorBody, type ErrorContext, mapSdkError } from '../errors.js';

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

function classify(body: ErrorBody): VolleyErrorCode {
  const { status } = body;
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
    if (body.numericCode !== undefined && body.numericCode >= 400)
      return classify({ ...body, status: body.numericCode });
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

function advise(code: VolleyErrorCode, body: ErrorBody, context: ErrorContext) {
  const { status } = body;
  if (code === 'bad_request' && body.param !== undefined) {
    return `The server rejected the request as invalid (${statusLabel(status)}). Check the "${body.param}" parameter. Fix the request; retrying will not help.`;
  }
  if (code !== 'not_found') return undefined;
  return notFoundAdvice(
    status,
    context,
    'exists there and that the base URL ends with the API prefix (usually /v1)',
  );
}

const OPENAI = {
  name: 'OpenAI',
  api: 'an OpenAI-compatible API',
  requestIDHeader: 'x-request-id',
  classify,
  advise,
};

/** Maps what the `openai` SDK, or the fetch beneath it, threw to a `VolleyError`. */
export function mapOpenAIError(error: unknown, sdk: OpenAIModule, context: ErrorContext): VolleyError {
  return mapSdkError(error, { ...sdk, base: sdk.OpenAIError, ...OPENAI }, context);
}
