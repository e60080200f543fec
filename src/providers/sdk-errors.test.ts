import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  InternalServerError,
  OpenAIError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConnectionError,
  TimeoutError,
  APIError as VolleyAPIError,
  VolleyError,
} from '../errors.js';
import { describeFailure, safeCause } from './error-causes.js';
import { codeForStatus, genericAdvice } from './http-status.js';
import type { SdkErrorBody, SdkErrorContext, SdkErrorProfile } from './sdk-error-profile.js';
import { mapSdkError, sdkMessage } from './sdk-errors.js';

const SENTINEL = 'sk-SENTINEL-0123456789abcdefABCDEF';
/** A key that does not look like one, so only `secrets` can catch it. */
const PLAIN_KEY = 'plainkey0123456789';

/** The least a profile can say: the `openai` SDK's classes, `{ message, request_id }` bodies. */
const PROFILE: SdkErrorProfile<SdkErrorBody> = {
  classes: {
    userAbort: APIUserAbortError,
    connectionTimeout: APIConnectionTimeoutError,
    connection: APIConnectionError,
    status: APIError,
    base: OpenAIError,
  },
  sdkName: 'Test',
  api: 'the test API',
  server: 'the test server',
  requestIDHeader: 'x-request-id',
  readBody: (error) => {
    const body = (error.error ?? {}) as { message?: unknown; request_id?: unknown };
    return {
      message: typeof body.message === 'string' ? body.message : sdkMessage(error.message),
      requestID: typeof body.request_id === 'string' ? body.request_id : undefined,
    };
  },
  classifyStatus: (status) => codeForStatus(status),
  classifyStreamError: () => 'server_error',
  advise: (code, label) => (code === 'not_found' ? `Nothing here (${label}).` : undefined),
};

function map(error: unknown, context: SdkErrorContext = {}): VolleyError {
  return mapSdkError(error, PROFILE, context);
}

function statusError(status: number, body: Record<string, unknown> | undefined, headers = {}) {
  return APIError.generate(
    status,
    body === undefined ? undefined : { error: body },
    undefined,
    new Headers(headers),
  );
}

function expectNoSecret(mapped: VolleyError, ...secrets: string[]): void {
  const cause = mapped.cause instanceof Error ? `${mapped.cause.message} ${mapped.cause.stack ?? ''}` : '';
  for (const secret of [SENTINEL, ...secrets]) {
    expect(mapped.message).not.toContain(secret);
    expect(JSON.stringify(mapped)).not.toContain(secret);
    expect(cause).not.toContain(secret);
  }
}

describe('mapSdkError: status errors', () => {
  it('classifies by the profile, advises, quotes the server and keeps status, headers and cause', () => {
    const error = statusError(404, { message: 'nope' }, { 'x-request-id': 'req_123', 'retry-after': '7' });
    const mapped = map(error);
    expect(mapped).toBeInstanceOf(VolleyAPIError);
    expect(mapped.code).toBe('not_found');
    expect(mapped.message).toBe('Nothing here (404). Server said: "nope"');
    expect(mapped.status).toBe(404);
    expect(mapped.requestID).toBe('req_123');
    expect(mapped.headers?.get('retry-after')).toBe('7');
    expect(mapped.cause).toBe(error);
    expect(JSON.parse(JSON.stringify(mapped))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('falls back to the generic advice, and says nothing of the server without a message', () => {
    const mapped = map(new InternalServerError(500, undefined, undefined, new Headers()));
    expect(mapped.code).toBe('server_error');
    expect(mapped.message).toBe(genericAdvice('server_error', '500'));
    expect(mapped.message).not.toContain('Server said');
  });

  it('labels an error reported inside a stream, which has no status', () => {
    const mapped = map(new APIError(undefined, { message: 'bad' }, undefined, new Headers()));
    expect(mapped.code).toBe('server_error');
    expect(mapped.status).toBeUndefined();
    expect(mapped.message).toContain('in the stream');
  });

  it('takes the request id from the SDK or the header, else from the body', () => {
    expect(map(statusError(500, { message: 'x', request_id: 'req_body' })).requestID).toBe('req_body');
    const both = statusError(500, { message: 'x', request_id: 'req_body' }, { 'x-request-id': 'req_h' });
    expect(map(both).requestID).toBe('req_h');
  });

  it('lets the profile rewrite the headers kept on the error', () => {
    const adjustHeaders = (headers: Headers) => new Headers([...headers, ['x-added', 'yes']]);
    const mapped = mapSdkError(
      statusError(429, { message: 'slow' }, { 'retry-after': '2' }),
      {
        ...PROFILE,
        adjustHeaders,
      },
      {},
    );
    expect(mapped.headers?.get('x-added')).toBe('yes');
    expect(mapped.headers?.get('retry-after')).toBe('2');
  });

  it('recognises a status error from another copy of the SDK', () => {
    const foreign = Object.assign(new Error('429 slow down'), {
      status: 429,
      headers: { 'x-request-id': 'req_f' },
      error: { message: 'slow down' },
    });
    const mapped = map(foreign);
    expect(mapped.code).toBe('rate_limited');
    expect(mapped.requestID).toBe('req_f');
  });

  it('never repeats the key, whether whole, masked or not key-shaped', () => {
    const masked = 'sk-SENTI*********************cdef';
    for (const status of [400, 401, 403, 404, 429, 500, 529]) {
      const error = statusError(status, {
        message: `Incorrect API key provided: ${SENTINEL}. Also ${masked} and ${PLAIN_KEY}. Authorization: Bearer ${SENTINEL}`,
      });
      const mapped = map(error, { secrets: [SENTINEL, PLAIN_KEY] });
      expectNoSecret(mapped, masked, PLAIN_KEY);
      expect(mapped.message).toContain('sk-***');
      expect(mapped.cause).not.toBe(error);
      expect((mapped.cause as Error).name).toBe(error.constructor.name);
    }
  });
});

describe('mapSdkError: no answer', () => {
  it('returns a VolleyError unchanged', () => {
    const error = new VolleyError('malformed_response', 'x');
    expect(map(error)).toBe(error);
  });

  it('maps a user abort, and a fetch AbortError (DOMException), to AbortError', () => {
    const mapped = map(new APIUserAbortError());
    expect(mapped).toBeInstanceOf(AbortError);
    expect(mapped.code).toBe('aborted');
    expect(map(new DOMException('This operation was aborted', 'AbortError'))).toBeInstanceOf(AbortError);
  });

  it('maps a connection timeout to TimeoutError naming the server', () => {
    const mapped = map(new APIConnectionTimeoutError(), { baseURL: 'http://h/v1' });
    expect(mapped).toBeInstanceOf(TimeoutError);
    expect(mapped.code).toBe('timeout');
    expect(mapped.message).toContain('http://h/v1');
    expect(map(new APIConnectionTimeoutError()).message).toContain('the test server');
  });

  it('maps a reset to ConnectionError and keeps the system error in the cause chain', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fetchFailed = new TypeError('fetch failed', { cause: reset });
    const mapped = map(new APIConnectionError({ cause: fetchFailed }));
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.code).toBe('connection_error');
    expect(mapped.message).toContain('ECONNRESET');
    expect(mapped.message).toMatch(/reset/);
    expect(mapped.cause).toBe(fetchFailed);
    expect((mapped.cause as Error).cause).toBe(reset);
  });

  it('maps a refused connection', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const mapped = map(new APIConnectionError({ cause: new TypeError('fetch failed', { cause: refused }) }));
    expect(mapped.code).toBe('connection_error');
    expect(mapped.message).toMatch(/refused/);
  });

  it('maps an unwrapped transport error (a stream cut mid-body) to ConnectionError', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const mapped = map(new TypeError('terminated', { cause: socket }));
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.message).toMatch(/closed the connection/);
    expect(mapped.cause).toBeInstanceOf(TypeError);
  });

  it('maps a thrown non-error value to ConnectionError', () => {
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
    expect(mapped.message).toContain('the test API');
    expectNoSecret(mapped);
  });

  it('maps a missing body to malformed_response and other SDK refusals to invalid_request', () => {
    const noBody = map(new OpenAIError('Attempted to iterate over a response with no body'));
    expect(noBody.code).toBe('malformed_response');
    expect(noBody.message).toContain('the test API');
    const refused = map(new OpenAIError('Expected request body to be an object'));
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toContain('The Test SDK refused');
  });

  it('redacts keys from connection error messages and causes', () => {
    const cause = new Error(`proxy rejected ${SENTINEL}`);
    expectNoSecret(map(new APIConnectionError({ cause }), { secrets: [SENTINEL] }));
  });

  it('redacts keys anywhere along a connection error cause chain', () => {
    const inner = new Error(`proxy rejected ${PLAIN_KEY}`);
    const cause = new TypeError('fetch failed', { cause: inner });
    const mapped = map(new APIConnectionError({ cause }), { secrets: [PLAIN_KEY] });
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

describe('sdkMessage', () => {
  it('drops the status prefix, and says nothing for a status without a body', () => {
    expect(sdkMessage('502 Bad gateway')).toBe('Bad gateway');
    expect(sdkMessage('500 status code (no body)')).toBeUndefined();
    expect(sdkMessage('(no status code or body)')).toBeUndefined();
  });
});
