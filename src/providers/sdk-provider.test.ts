import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AbortError, TimeoutError, VolleyError } from '../errors.js';
import type { SdkErrorContext } from './sdk-error-profile.js';
import { SdkProvider } from './sdk-provider.js';
import { readEvents, unlessAborted } from './send-support.js';
import { failure, fakeStream } from './test-support/doubles.js';
import type { ProviderRequest, ProviderResponse } from './types.js';

const SECRET = 'plainkey0123456789';

type Start = (signal: AbortSignal) => Promise<{ data: unknown; response: Response }>;

/** Sends through `start`, as an SDK call would, and maps failures to `unexpected`. */
class TestProvider extends SdkProvider {
  readonly #start: Start;
  contexts: SdkErrorContext[] = [];
  starts = 0;

  constructor(start: Start) {
    super({ id: 'test:http://h#nokey', defaultModel: 'm', baseURL: 'http://h', secrets: [SECRET] });
    this.#start = start;
  }

  protected override async complete(
    request: ProviderRequest,
    signal: AbortSignal,
  ): Promise<ProviderResponse> {
    const { data, response } = await unlessAborted(signal, () => {
      this.starts++;
      return this.#start(signal);
    });
    return answer(String(data), request, response);
  }

  protected override async stream(
    request: ProviderRequest,
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<ProviderResponse> {
    let text = '';
    const response = await readEvents(
      signal,
      () => this.#start(signal),
      (event) => {
        text += String(event);
        onDelta(String(event));
      },
    );
    return answer(text, request, response);
  }

  protected override mapError(error: unknown, context: SdkErrorContext): VolleyError {
    this.contexts.push(context);
    return new VolleyError('unexpected', 'mapped', { cause: error });
  }
}

function answer(text: string, request: ProviderRequest, response: Response): ProviderResponse {
  const { headers } = response;
  return {
    text,
    usage: undefined,
    finishReason: 'stop',
    model: request.model,
    requestID: undefined,
    headers,
    raw: text,
  };
}

const request: ProviderRequest = {
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'Hi' }],
  params: {},
};
const ok: Start = async () => ({ data: 'Hello', response: new Response('') });
/** Rejects when the SDK's signal aborts, as fetch does. */
const honoursSignal: Start = (signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SdkProvider.send and its signal', () => {
  it('does not send at all when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const p = new TestProvider(ok);
    expect(await failure(p.send(request, { signal: controller.signal }))).toBeInstanceOf(AbortError);
    expect(p.starts).toBe(0);
  });

  it('aborts a request in flight with AbortError, not the mapped error', async () => {
    const controller = new AbortController();
    const p = new TestProvider(honoursSignal);
    const pending = p.send(request, { signal: controller.signal });
    await tick();
    controller.abort();
    const error = await failure(pending);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe('aborted');
    expect(p.contexts).toHaveLength(0);
  });

  it('aborts even when the SDK ignores the signal', async () => {
    const controller = new AbortController();
    const p = new TestProvider(() => new Promise(() => {}));
    const pending = p.send(request, { signal: controller.signal });
    await tick();
    controller.abort();
    expect(await failure(pending)).toBeInstanceOf(AbortError);
  });

  it('throws the abort reason when it is already a VolleyError (a scheduler timeout)', async () => {
    const controller = new AbortController();
    const p = new TestProvider(() => new Promise(() => {}));
    const pending = p.send(request, { signal: controller.signal });
    await tick();
    const reason = new TimeoutError('timeout', 'attempt timed out');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('stops with AbortError when aborted mid-stream', async () => {
    const controller = new AbortController();
    const p = new TestProvider(async () => ({
      data: fakeStream(['Hel'], true).data,
      response: new Response(''),
    }));
    const deltas: string[] = [];
    const pending = p.send(request, {
      signal: controller.signal,
      onDelta: (text) => {
        deltas.push(text);
        controller.abort();
      },
    });
    expect(await failure(pending)).toBeInstanceOf(AbortError);
    expect(deltas).toEqual(['Hel']);
  });

  it('leaves no listener on a long-lived signal', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof signal.removeEventListener;
    const p = new TestProvider(ok);
    for (let i = 0; i < 3; i++) await p.send(request, { signal });
    const stream = async () => ({ data: fakeStream(['a']).data, response: new Response('') });
    await new TestProvider(stream).send(request, { signal, onDelta: () => {} });
    await failure(new TestProvider(() => Promise.reject(new Error('boom'))).send(request, { signal }));
    expect(listeners).toBe(0);
  });
});

describe('SdkProvider.send failures', () => {
  it('rethrows what onDelta throws, untouched', async () => {
    const p = new TestProvider(async () => ({ data: fakeStream(['Hel']).data, response: new Response('') }));
    const mine = new RangeError('mine');
    const onDelta = () => {
      throw mine;
    };
    await expect(p.send(request, { signal: new AbortController().signal, onDelta })).rejects.toBe(mine);
    expect(p.contexts).toHaveLength(0);
  });

  it('maps every other failure with the model, the server and the secrets', async () => {
    const boom = new Error('boom');
    const p = new TestProvider(() => Promise.reject(boom));
    const error = await failure(p.send(request, { signal: new AbortController().signal }));
    expect(error.code).toBe('unexpected');
    expect(error.cause).toBe(boom);
    expect(p.contexts).toEqual([{ model: 'gpt-test', baseURL: 'http://h', secrets: [SECRET] }]);
  });

  it('answers with and without streaming', async () => {
    const p = new TestProvider(ok);
    expect((await p.send(request, { signal: new AbortController().signal })).text).toBe('Hello');
    const streamed = new TestProvider(async () => ({
      data: fakeStream(['Hel', 'lo']).data,
      response: new Response(''),
    }));
    const deltas: string[] = [];
    const response = await streamed.send(request, {
      signal: new AbortController().signal,
      onDelta: (text) => deltas.push(text),
    });
    expect(response.text).toBe('Hello');
    expect(deltas).toEqual(['Hel', 'lo']);
  });
});

describe('SdkProvider serialization', () => {
  it('shows its id and default model, never its secrets', () => {
    const p = new TestProvider(ok);
    expect(JSON.parse(JSON.stringify(p))).toEqual({ id: 'test:http://h#nokey', defaultModel: 'm' });
    expect(inspect(p, { depth: 5 })).not.toContain(SECRET);
  });
});
