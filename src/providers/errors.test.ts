import * as anthropicSdk from '@anthropic-ai/sdk';
import * as openaiSdk from 'openai';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConnectionError,
  TimeoutError,
  APIError as VolleyAPIError,
  VolleyError,
} from '../errors.js';
import { genericAdvice } from './advice.js';
import { mapAnthropicError } from './anthropic/errors.js';
import { describeFailure, safeCause } from './causes.js';
import { type ErrorContext, sdkMessage } from './errors.js';
import { mapOpenAIError } from './openai/errors.js';

const SENTINEL = 'sk-SENTINEL-0123456789abcdefABCDEF';
/** A key that does not look like one, so only `secrets` can catch it. */
const PLAIN_KEY = 'plainkey0123456789';
const CONTEXT: ErrorContext = { baseURL: 'http://h/v1', secrets: [SENTINEL, PLAIN_KEY], keyEnv: 'X_API_KEY' };

/** What both SDKs share, mapped through each provider's mapping: the shared helpers at work. */
const SDKS = [
  {
    name: 'openai',
    sdk: openaiSdk as unknown as typeof anthropicSdk,
    base: openaiSdk.OpenAIError,
    map: (error: unknown, context: Partial<ErrorContext> = {}) =>
      mapOpenAIError(error, openaiSdk, { ...CONTEXT, ...context }),
  },
  {
    name: 'anthropic',
    sdk: anthropicSdk,
    base: anthropicSdk.AnthropicError,
    map: (error: unknown, context: Partial<ErrorContext> = {}) =>
      mapAnthropicError(error, anthropicSdk, { ...CONTEXT, ...context }),
  },
];

function expectNoSecret(mapped: VolleyError, ...secrets: string[]): void {
  const cause = mapped.cause instanceof Error ? `${mapped.cause.message} ${mapped.cause.stack ?? ''}` : '';
  for (const secret of [SENTINEL, ...secrets]) {
    expect(mapped.message).not.toContain(secret);
    expect(JSON.stringify(mapped)).not.toContain(secret);
    expect(cause).not.toContain(secret);
  }
}

describe.each(SDKS)('the shared mapping, through the $name SDK', ({ sdk, base, map }) => {
  const statusError = (status: number, body: object | undefined, headers: Record<string, string> = {}) =>
    sdk.APIError.generate(status, body, undefined, new Headers(headers));

  it('keeps status, headers, request id and cause, and quotes the server after the advice', () => {
    const error = statusError(
      500,
      { error: { message: 'nope' } },
      { 'x-request-id': 'req_1', 'request-id': 'req_1', 'retry-after': '7' },
    );
    const mapped = map(error);
    expect(mapped).toBeInstanceOf(VolleyAPIError);
    expect(mapped.code).toBe('server_error');
    expect(mapped.message).toMatch(/\(HTTP 500\)\..* Server said: "nope"$/);
    expect(mapped).toMatchObject({ status: 500, requestID: 'req_1' });
    expect(mapped.headers?.get('retry-after')).toBe('7');
    expect(mapped.cause).toBe(error);
    expect(JSON.parse(JSON.stringify(mapped))).toMatchObject({ code: 'server_error', status: 500 });
  });

  it('says nothing of the server when it sent no message', () => {
    const mapped = map(statusError(502, undefined));
    expect(mapped.code).toBe('server_error');
    expect(mapped.message).not.toContain('Server said');
  });

  it.each([
    ['true', true],
    ['false', false],
    [undefined, undefined],
  ])('keeps x-should-retry: %s as retryable: %s', (header, verdict) => {
    const headers: Record<string, string> = header === undefined ? {} : { 'x-should-retry': header };
    expect(map(statusError(503, { error: { message: 'x' } }, headers)).retryable).toBe(verdict);
  });

  it('recognises a status error from another copy of the SDK', () => {
    const foreign = Object.assign(new Error('429 slow down'), {
      status: 429,
      headers: { 'x-request-id': 'req_f', 'request-id': 'req_f' },
      error: { error: { message: 'slow down' } },
    });
    const mapped = map(foreign);
    expect(mapped.code).toBe('rate_limited');
    expect(mapped.requestID).toBe('req_f');
  });

  it('never repeats the key, whether whole, masked or not key-shaped', () => {
    const masked = 'sk-SENTI*********************cdef';
    for (const status of [400, 401, 403, 404, 429, 500, 529]) {
      const message = `Incorrect API key provided: ${SENTINEL}. Also ${masked} and ${PLAIN_KEY}. Authorization: Bearer ${SENTINEL}`;
      const error = statusError(status, { error: { message } });
      const mapped = map(error);
      expectNoSecret(mapped, masked, PLAIN_KEY);
      expect(mapped.message).toContain('sk-***');
      expect(mapped.cause).not.toBe(error);
      expect((mapped.cause as Error).name).toBe(error.constructor.name);
    }
  });

  it('returns a VolleyError unchanged', () => {
    const error = new VolleyError('malformed_response', 'x');
    expect(map(error)).toBe(error);
  });

  it('maps a user abort, and a fetch AbortError (DOMException), to AbortError', () => {
    expect(map(new sdk.APIUserAbortError())).toBeInstanceOf(AbortError);
    expect(map(new DOMException('This operation was aborted', 'AbortError'))).toBeInstanceOf(AbortError);
  });

  it('maps a connection timeout to TimeoutError naming the server', () => {
    const mapped = map(new sdk.APIConnectionTimeoutError());
    expect(mapped).toBeInstanceOf(TimeoutError);
    expect(mapped.code).toBe('timeout');
    expect(mapped.message).toContain('http://h/v1');
  });

  it('maps a reset and a refusal to ConnectionError, keeping the system error in the cause chain', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fetchFailed = new TypeError('fetch failed', { cause: reset });
    const mapped = map(new sdk.APIConnectionError({ cause: fetchFailed }));
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.message).toMatch(/reset \(ECONNRESET\)/);
    expect(mapped.cause).toBe(fetchFailed);
    expect((mapped.cause as Error).cause).toBe(reset);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const cause = new TypeError('fetch failed', { cause: refused });
    expect(map(new sdk.APIConnectionError({ cause })).message).toMatch(/refused/);
  });

  it('maps an unwrapped transport error (a stream cut mid-body), or a thrown value, to ConnectionError', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const mapped = map(new TypeError('terminated', { cause: socket }));
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.message).toMatch(/closed the connection/);
    expect(map('boom').code).toBe('connection_error');
  });

  it('maps a JSON parse failure to malformed_response, without quoting the key', () => {
    let syntax: unknown;
    try {
      JSON.parse(`{"oops": ${SENTINEL}`);
    } catch (error) {
      syntax = error;
    }
    const mapped = map(syntax);
    expect(mapped.code).toBe('malformed_response');
    expectNoSecret(mapped);
  });

  it('maps a missing body to malformed_response and other SDK refusals to invalid_request', () => {
    expect(map(new base('Attempted to iterate over a response with no body')).code).toBe(
      'malformed_response',
    );
    const refused = map(new base('Expected request body to be an object'));
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toMatch(/The (OpenAI|Anthropic) SDK refused/);
  });

  it('redacts keys anywhere along a connection error cause chain', () => {
    expectNoSecret(map(new sdk.APIConnectionError({ cause: new Error(`proxy rejected ${SENTINEL}`) })));
    const cause = new TypeError('fetch failed', { cause: new Error(`proxy rejected ${PLAIN_KEY}`) });
    const mapped = map(new sdk.APIConnectionError({ cause }));
    expectNoSecret(mapped, PLAIN_KEY);
    expect((mapped.cause as Error).cause).toBeUndefined();
    expect((mapped.cause as Error).name).toBe('TypeError');
  });
});

describe('error causes', () => {
  it('describes a failure by its system error code, else its innermost message', () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(describeFailure(new Error('outer', { cause: refused }), [])).toBe(
      'the connection was refused (ECONNREFUSED)',
    );
    expect(describeFailure(new Error('outer', { cause: new Error(`inner ${PLAIN_KEY}`) }), [PLAIN_KEY])).toBe(
      'inner ***',
    );
    expect(describeFailure(undefined, [])).toBe('the connection failed');
  });

  it('keeps a clean cause as it is', () => {
    const cause = new Error('fine', { cause: new Error('also fine') });
    expect(safeCause(cause, [PLAIN_KEY])).toBe(cause);
    expect(safeCause('text', [PLAIN_KEY])).toBe('text');
  });
});

describe('advice', () => {
  it('names the status as a status, and the context window only when the server stated it', () => {
    const advice = (message: string | undefined) =>
      genericAdvice('context_length_exceeded', 400, message, CONTEXT);
    expect(advice(undefined)).toBe(
      "The prompt and maxTokens together exceed the model's context window (HTTP 400). Shorten the input or lower maxTokens; retrying will not help.",
    );
    expect(advice('maximum context length is 128,000 tokens')).toContain(
      'context window of 128000 tokens (HTTP 400)',
    );
    expect(genericAdvice('server_error', undefined, undefined, CONTEXT)).toContain(
      '(reported in the stream)',
    );
  });

  it('drops the SDK status prefix, and says nothing for a status without a body', () => {
    expect(sdkMessage('502 Bad gateway')).toBe('Bad gateway');
    expect(sdkMessage('500 status code (no body)')).toBeUndefined();
    expect(sdkMessage('(no status code or body)')).toBeUndefined();
  });
});
