import * as sdk from 'openai';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  InternalServerError,
  OpenAIError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, APIError as VolleyAPIError } from '../../errors.js';
import type { ErrorContext } from '../errors.js';
import { mapOpenAIError as map } from './errors.js';

const CONTEXT: ErrorContext = { baseURL: 'http://h/v1', secrets: [], keyEnv: 'OPENAI_API_KEY' };
const mapOpenAIError = (error: unknown, context: Partial<ErrorContext> = {}) =>
  map(error, sdk, { ...CONTEXT, ...context });

function headers(extra: Record<string, string> = {}): Headers {
  return new Headers({ 'x-request-id': 'req_123', 'content-type': 'application/json', ...extra });
}

function statusError(
  status: number,
  error: Record<string, unknown> | undefined,
  extra?: Record<string, string>,
) {
  return APIError.generate(status, error === undefined ? undefined : { error }, undefined, headers(extra));
}

describe('mapOpenAIError: status errors', () => {
  const cases: Array<[string, number, Record<string, unknown> | undefined, string]> = [
    [
      'plain 400',
      400,
      { message: 'Invalid value for temperature', type: 'invalid_request_error' },
      'bad_request',
    ],
    [
      '400 context_length_exceeded code',
      400,
      { message: 'Too long', type: 'invalid_request_error', code: 'context_length_exceeded' },
      'context_length_exceeded',
    ],
    [
      '400 vLLM context message',
      400,
      {
        message: "This model's maximum context length is 4096 tokens. However, you requested 5000",
        code: 400,
      },
      'context_length_exceeded',
    ],
    ['400 content_filter', 400, { message: 'filtered', code: 'content_filter' }, 'content_filtered'],
    [
      '400 content_policy_violation',
      400,
      { message: 'nope', code: 'content_policy_violation' },
      'content_filtered',
    ],
    [
      '400 Azure inner error',
      400,
      { message: 'filtered', code: 'BadRequest', innererror: { code: 'ResponsibleAIPolicyViolation' } },
      'content_filtered',
    ],
    ['401', 401, { message: 'Incorrect API key provided', code: 'invalid_api_key' }, 'authentication'],
    ['403', 403, { message: 'Country not supported' }, 'permission_denied'],
    ['404', 404, { message: 'The model does not exist', code: 'model_not_found' }, 'not_found'],
    ['408', 408, { message: 'Request timeout' }, 'request_timeout'],
    ['409', 409, { message: 'Conflict' }, 'conflict'],
    ['413', 413, { message: 'Payload too large' }, 'bad_request'],
    ['422', 422, { message: 'Unprocessable' }, 'unprocessable'],
    [
      '429 rate',
      429,
      { message: 'Rate limit reached for requests', code: 'rate_limit_exceeded' },
      'rate_limited',
    ],
    ['429 quota code', 429, { message: 'Quota', code: 'insufficient_quota' }, 'quota_exceeded'],
    ['429 quota type', 429, { message: 'Quota', type: 'insufficient_quota' }, 'quota_exceeded'],
    [
      '429 quota message',
      429,
      { message: 'You exceeded your current quota, please check your plan and billing details.' },
      'quota_exceeded',
    ],
    ['500', 500, { message: 'The server had an error' }, 'server_error'],
    ['502 no body', 502, undefined, 'server_error'],
    ['503', 503, { message: 'Overloaded' }, 'server_error'],
    ['529 overloaded', 529, { message: 'Overloaded' }, 'server_error'],
  ];

  it.each(cases)('%s', (_name, status, body, code) => {
    const mapped = mapOpenAIError(statusError(status, body));
    expect(mapped).toBeInstanceOf(VolleyAPIError);
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBe(status);
    expect(mapped.requestID).toBe('req_123');
    expect(mapped.headers).toBeInstanceOf(Headers);
    expect(mapped.message.length).toBeGreaterThan(20);
    expect(mapped.cause).toBeInstanceOf(APIError);
    expect(JSON.parse(JSON.stringify(mapped))).toMatchObject({ code, status, requestID: 'req_123' });
  });

  it('tells the user what to do next', () => {
    const message = mapOpenAIError(statusError(401, { message: 'bad key' })).message;
    expect(message).toMatch(/Check OPENAI_API_KEY/);
    expect(message).not.toMatch(/--api-key\b/); // no such flag: the command line has --api-key-env
    expect(
      mapOpenAIError(statusError(401, { message: 'bad key' }), { keyEnv: 'AZURE_OPENAI_API_KEY' }).message,
    ).toMatch(/Check AZURE_OPENAI_API_KEY/);
    expect(mapOpenAIError(statusError(429, { code: 'insufficient_quota', message: 'q' })).message).toMatch(
      /add credit or raise the limit; retrying will not help/i,
    );
    const notFound = mapOpenAIError(statusError(404, { message: 'nope' }), {
      model: 'gpt-typo',
      baseURL: 'http://localhost:8000/v1',
    });
    expect(notFound.message).toContain('model "gpt-typo"');
    expect(notFound.message).toContain('http://localhost:8000/v1');
    expect(notFound.message).toContain('Server said: "nope"');
    expect(mapOpenAIError(statusError(400, { message: 'bad', param: 'temperature' })).message).toContain(
      '"temperature"',
    );
  });

  it('maps an SDK error whose message is only the status', () => {
    const mapped = mapOpenAIError(new InternalServerError(500, undefined, undefined, headers()));
    expect(mapped.code).toBe('server_error');
    expect(mapped.message).not.toContain('Server said');
  });
});

describe('mapOpenAIError: errors reported inside a stream', () => {
  it.each([
    [{ message: 'Internal error', type: 'server_error' }, 'server_error'],
    [{ message: 'bad', type: 'BadRequestError', code: 400 }, 'bad_request'],
    [{ message: 'Too long', code: 'context_length_exceeded' }, 'context_length_exceeded'],
    [{ message: 'limited', code: 'rate_limit_exceeded' }, 'rate_limited'],
    [{ message: 'bad', type: 'invalid_request_error' }, 'bad_request'],
  ])('%o → %s', (body, code) => {
    const mapped = mapOpenAIError(new APIError(undefined, body, undefined, headers()));
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBeUndefined();
    expect(mapped.requestID).toBe('req_123');
  });
});

describe("mapOpenAIError: the openai SDK's own errors", () => {
  it('maps each kind through the shared mapping, in OpenAI terms', () => {
    expect(mapOpenAIError(new APIUserAbortError())).toBeInstanceOf(AbortError);
    const timeout = mapOpenAIError(new APIConnectionTimeoutError());
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout.message).toContain('http://h/v1');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const connection = mapOpenAIError(new APIConnectionError({ cause: reset }));
    expect(connection).toBeInstanceOf(ConnectionError);
    expect(connection.message).toContain('http://h/v1');
    const noBody = mapOpenAIError(new OpenAIError('Attempted to iterate over a response with no body'));
    expect(noBody.code).toBe('malformed_response');
    expect(noBody.message).toMatch(/OpenAI-compatible API/);
    const refused = mapOpenAIError(new OpenAIError('Expected request body to be an object'));
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toMatch(/The OpenAI SDK refused/);
  });
});
