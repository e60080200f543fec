/** Test doubles for the SDK-based providers: a recording fetch, JSON answers, and rejections. */
import { expect } from 'vitest';
import { VolleyError } from '../../errors.js';

export interface Call {
  readonly url: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly signal: AbortSignal | undefined;
}

export type Handler = (call: Call) => Response | Promise<Response>;

/** A fetch that records each request and answers with `handler`; `sent` resolves at the first. */
export function fakeFetch(handler: Handler) {
  const calls: Call[] = [];
  let first: (call: Call) => void = () => {};
  const sent = new Promise<Call>((resolve) => {
    first = resolve;
  });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const text = typeof init?.body === 'string' ? init.body : '{}';
    const call: Call = {
      url: String(input),
      headers: new Headers(init?.headers),
      body: JSON.parse(text) as Record<string, unknown>,
      signal: init?.signal ?? undefined,
    };
    calls.push(call);
    first(call);
    return handler(call);
  };
  return { fetch, calls, sent };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The `VolleyError` that `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<VolleyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VolleyError);
    return error as VolleyError;
  }
  throw new Error('expected a rejection');
}
