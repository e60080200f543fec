import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../errors.js';
import { readEvents, responseMeta, streamEndedEarly, unlessAborted } from './send-support.js';
import { fakeStream } from './test-support/doubles.js';

const never = () => new Promise<never>(() => {});

describe('unlessAborted', () => {
  it('resolves to what start resolves to', async () => {
    expect(await unlessAborted(new AbortController().signal, async () => 42)).toBe(42);
  });

  it('rejects with the reason when the signal aborts, even if start never settles', async () => {
    const controller = new AbortController();
    const pending = unlessAborted(controller.signal, never);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('readEvents', () => {
  it('hands over each event and returns the response once the stream ends', async () => {
    const { data, state } = fakeStream(['a', 'b']);
    const response = new Response('');
    const seen: unknown[] = [];
    const result = await readEvents(
      new AbortController().signal,
      async () => ({ data, response }),
      (event) => seen.push(event),
    );
    expect(result).toBe(response);
    expect(seen).toEqual(['a', 'b']);
    expect(state.closed).toBe(false);
  });

  it('stops with the reason when aborted mid-stream, and closes the stream', async () => {
    const controller = new AbortController();
    const { data, state } = fakeStream(['Hel'], true);
    const seen: unknown[] = [];
    const pending = readEvents(
      controller.signal,
      async () => ({ data, response: new Response('') }),
      (event) => {
        seen.push(event);
        controller.abort(new Error('stop'));
      },
    );
    await expect(pending).rejects.toThrow('stop');
    expect(seen).toEqual(['Hel']);
    expect(state.closed).toBe(true);
  });

  it('closes the stream when handling an event throws', async () => {
    const { data, state } = fakeStream(['a', 'b']);
    const mine = new RangeError('mine');
    const pending = readEvents(
      new AbortController().signal,
      async () => ({ data, response: new Response('') }),
      () => {
        throw mine;
      },
    );
    await expect(pending).rejects.toBe(mine);
    expect(state.closed).toBe(true);
  });

  it('throws the reason when the stream ends quietly because the attempt was aborted', async () => {
    const controller = new AbortController();
    const { data } = fakeStream(['a']);
    const reason = new Error('stop');
    const pending = readEvents(
      controller.signal,
      async () => ({ data, response: new Response('') }),
      () => controller.abort(reason),
    );
    await expect(pending).rejects.toBe(reason);
  });
});

describe('responseMeta', () => {
  const response = () => new Response('', { status: 201, headers: { 'x-request-id': 'req_header' } });

  it('takes the request id from the parsed body, else from the named header', () => {
    expect(responseMeta(response(), 'x-request-id', { _request_id: 'req_body' }).requestID).toBe('req_body');
    expect(responseMeta(response(), 'x-request-id', { _request_id: '' }).requestID).toBe('req_header');
    expect(responseMeta(response(), 'request-id').requestID).toBeUndefined();
    expect(responseMeta(response(), 'x-request-id').status).toBe(201);
  });

  it('passes the headers through adjust', () => {
    const meta = responseMeta(response(), 'x-request-id', undefined, (headers) => {
      const copy = new Headers(headers);
      copy.set('x-added', 'yes');
      return copy;
    });
    expect(meta.headers.get('x-added')).toBe('yes');
    expect(meta.headers.get('x-request-id')).toBe('req_header');
  });
});

describe('streamEndedEarly', () => {
  it('is a connection error naming the server, with the answer meta', () => {
    const meta = { status: 200, headers: new Headers(), requestID: 'req_1' };
    const error = streamEndedEarly('http://h/v1', meta);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('http://h/v1');
    expect(error.requestID).toBe('req_1');
  });
});
