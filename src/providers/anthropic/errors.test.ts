import * as sdk from '@anthropic-ai/sdk';
import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, APIError as VolleyAPIError } from '../../errors.js';
import type { ErrorContext } from '../errors.js';
import { mapAnthropicError as map } from './errors.js';

const CONTEXT: ErrorContext = { baseURL: 'http://h', secrets: [], keyEnv: 'ANTHROPIC_API_KEY' };
const mapAnthropicError = (error: unknown, context: Partial<ErrorContext> = {}) =>
  map(error, sdk, { ...CONTEXT, ...context });

function headers(extra: Record<string, string> = {}): Headers {
  return new Headers({ 'request-id': 'req_123', 'content-type': 'application/json', ...extra });
}

/** The SDK's own error for a status, from an Anthropic-shaped body, as the client builds it. */
function statusError(
  status: number,
  error: Record<string, unknown> | undefined,
  extra?: Record<string, string>,
): APIError {
  const body = error === undefined ? undefined : { type: 'error', error, request_id: 'req_body' };
  return APIError.generate(status, body, undefined, headers(extra));
}

describe('mapAnthropicError: status errors', () => {
  const cases: Array<[string, number, Record<string, unknown> | undefined, string, unknown]> = [
    [
      '400',
      400,
      { type: 'invalid_request_error', message: 'temperature: range: 0..1' },
      'bad_request',
      BadRequestError,
    ],
    [
      '400 prompt too long',
      400,
      { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' },
      'context_length_exceeded',
      BadRequestError,
    ],
    [
      '400 low credit balance',
      400,
      {
        type: 'invalid_request_error',
        message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.',
      },
      'quota_exceeded',
      BadRequestError,
    ],
    [
      '401',
      401,
      { type: 'authentication_error', message: 'invalid x-api-key' },
      'authentication',
      AuthenticationError,
    ],
    ['402', 402, { type: 'billing_error', message: 'Payment required' }, 'quota_exceeded', APIError],
    [
      '403',
      403,
      { type: 'permission_error', message: 'Your API key does not have permission' },
      'permission_denied',
      PermissionDeniedError,
    ],
    ['404', 404, { type: 'not_found_error', message: 'model: claude-typo' }, 'not_found', NotFoundError],
    [
      '413',
      413,
      { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
      'bad_request',
      ContentTooLargeError,
    ],
    [
      '429',
      429,
      {
        type: 'rate_limit_error',
        message: 'Number of request tokens has exceeded your per-minute rate limit',
      },
      'rate_limited',
      RateLimitError,
    ],
    [
      '429 credit message',
      429,
      { type: 'rate_limit_error', message: 'Your credit balance is too low' },
      'quota_exceeded',
      RateLimitError,
    ],
    [
      '429 spend limit code',
      429,
      {
        type: 'rate_limit_error',
        message: 'limit',
        details: { error_code: 'enforced_spend_limit_reached' },
      },
      'quota_exceeded',
      APIError,
    ],
    [
      '500',
      500,
      { type: 'api_error', message: 'Internal server error' },
      'server_error',
      InternalServerError,
    ],
    ['502 no body', 502, undefined, 'server_error', InternalServerError],
    ['529', 529, { type: 'overloaded_error', message: 'Overloaded' }, 'server_error', OverloadedError],
  ];

  it.each(cases)('%s', (_name, status, body, code, sdkClass) => {
    const error = statusError(status, body);
    expect(error).toBeInstanceOf(sdkClass as typeof APIError);
    const mapped = mapAnthropicError(error);
    expect(mapped).toBeInstanceOf(VolleyAPIError);
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBe(status);
    expect(mapped.requestID).toBe('req_123');
    expect(mapped.headers).toBeInstanceOf(Headers);
    expect(mapped.message.length).toBeGreaterThan(20);
    expect(mapped.cause).toBe(error);
    expect(JSON.parse(JSON.stringify(mapped))).toMatchObject({ code, status, requestID: 'req_123' });
  });

  it('falls back to the request id in the body', () => {
    const error = APIError.generate(
      500,
      { type: 'error', error: { type: 'api_error', message: 'x' }, request_id: 'req_body' },
      undefined,
      new Headers(),
    );
    expect(mapAnthropicError(error).requestID).toBe('req_body');
  });

  it('keeps the headers of a 429 and adds their x-ratelimit-* equivalents', () => {
    const reset = new Date(Date.now() + 20_000).toISOString();
    const error = statusError(
      429,
      { type: 'rate_limit_error', message: 'slow down' },
      {
        'retry-after': '7',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': reset,
      },
    );
    const mapped = mapAnthropicError(error);
    expect(mapped.headers?.get('retry-after')).toBe('7');
    expect(mapped.headers?.get('anthropic-ratelimit-requests-reset')).toBe(reset);
    expect(mapped.headers?.get('x-ratelimit-limit-requests')).toBe('50');
    expect(mapped.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(mapped.headers?.get('x-ratelimit-reset-requests')).toBe(reset);
  });

  it('tells the user what to do next', () => {
    const auth = mapAnthropicError(statusError(401, { type: 'authentication_error', message: 'bad key' }));
    expect(auth.message).toMatch(/Check ANTHROPIC_API_KEY/);
    const notFound = mapAnthropicError(statusError(404, { type: 'not_found_error', message: 'nope' }), {
      model: 'claude-typo',
      baseURL: 'http://localhost:8080',
    });
    expect(notFound.message).toContain('model "claude-typo"');
    expect(notFound.message).toContain('http://localhost:8080');
    expect(notFound.message).toContain('Server said: "nope"');
    expect(
      mapAnthropicError(statusError(529, { type: 'overloaded_error', message: 'Overloaded' })).message,
    ).toMatch(/overloaded/i);
    expect(
      mapAnthropicError(statusError(413, { type: 'request_too_large', message: 'big' })).message,
    ).toMatch(/larger than the server accepts/);
  });

  it('quotes a plain-text error body', () => {
    const mapped = mapAnthropicError(APIError.generate(502, undefined, 'Bad gateway from proxy', headers()));
    expect(mapped.code).toBe('server_error');
    expect(mapped.message).toContain('Server said: "Bad gateway from proxy"');
  });
});

describe('mapAnthropicError: errors reported inside a stream', () => {
  it.each([
    ['overloaded_error', 'Overloaded', 'server_error'],
    ['api_error', 'Internal error', 'server_error'],
    ['rate_limit_error', 'slow down', 'rate_limited'],
    ['invalid_request_error', 'bad', 'bad_request'],
    ['invalid_request_error', 'prompt is too long', 'context_length_exceeded'],
    ['authentication_error', 'no', 'authentication'],
    ['billing_error', 'pay', 'quota_exceeded'],
  ])('%s (%s) → %s', (type, message, code) => {
    const body = { type: 'error', error: { type, message } };
    const mapped = mapAnthropicError(new APIError(undefined, body, undefined, headers()));
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBeUndefined();
    expect(mapped.requestID).toBe('req_123');
    expect(mapped.message).toContain('reported in the stream');
  });
});

describe("mapAnthropicError: the Anthropic SDK's own errors", () => {
  it('maps each kind through the shared mapping, in Anthropic terms', () => {
    expect(mapAnthropicError(new APIUserAbortError())).toBeInstanceOf(AbortError);
    const timeout = mapAnthropicError(new APIConnectionTimeoutError());
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout.message).toContain('http://h');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const connection = mapAnthropicError(new APIConnectionError({ cause: reset }));
    expect(connection).toBeInstanceOf(ConnectionError);
    expect(connection.message).toContain('http://h');
    const noBody = mapAnthropicError(new AnthropicError('Attempted to iterate over a response with no body'));
    expect(noBody.code).toBe('malformed_response');
    expect(noBody.message).toMatch(/Anthropic Messages API/);
    const refused = mapAnthropicError(
      new AnthropicError('Streaming is required for operations that may take longer'),
    );
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toMatch(/The Anthropic SDK refused/);
  });
});
