import { describe, expect, it } from 'vitest';
import { AbortError, TimeoutError } from '../errors.js';
import type { ProviderRequest } from '../providers/types.js';
import { ECHO_LENGTH, echoProvider } from './echo-provider.js';
import { ManualClock } from './manual-clock.js';

const LONG = 'The quick brown fox jumps over the lazy dog, twice over, and then some.';

function request(overrides: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    model: 'echo-1',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: LONG },
    ],
    params: {},
    ...overrides,
  };
}

const live = () => new AbortController().signal;

describe('echoProvider', () => {
  it('answers with the start of the last user message and plausible usage', async () => {
    const p = echoProvider();
    expect(p.id).toBe('echo');
    expect(p.defaultModel).toBe('echo');
    const response = await p.send(request(), { signal: live() });
    expect(response.text).toBe(LONG.slice(0, ECHO_LENGTH));
    expect(response.finishReason).toBe('stop');
    expect(response.model).toBe('echo-1');
    expect(response.headers).toBeInstanceOf(Headers);
    const usage = response.usage!;
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBe(Math.ceil(ECHO_LENGTH / 4));
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
  });

  it('is deterministic', async () => {
    const p = echoProvider();
    const a = await p.send(request(), { signal: live() });
    const b = await p.send(request(), { signal: live() });
    expect(b.text).toBe(a.text);
    expect(b.usage).toEqual(a.usage);
  });

  it('reads text parts and short prompts', async () => {
    const p = echoProvider();
    const parts = await p.send(
      request({
        messages: [{ role: 'user', content: [{ type: 'image_url' }, { type: 'text', text: 'hi' }] }],
      }),
      { signal: live() },
    );
    expect(parts.text).toBe('hi');
  });

  it('stops at maxTokens with finish reason length', async () => {
    const response = await echoProvider().send(request({ maxTokens: 2 }), { signal: live() });
    expect(response.text).toBe(LONG.slice(0, 8));
    expect(response.finishReason).toBe('length');
  });

  it('streams the answer as one delta', async () => {
    const deltas: string[] = [];
    const response = await echoProvider().send(request(), { signal: live(), onDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual([response.text]);
  });

  it('waits latencyMs on the given clock', async () => {
    const clock = new ManualClock();
    const p = echoProvider({ latencyMs: 100, clock });
    let done = false;
    const pending = p.send(request(), { signal: live() }).then((r) => {
      done = true;
      return r;
    });
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
    expect((await pending).text).toBe(LONG.slice(0, ECHO_LENGTH));
  });

  it('honours the signal before and during the wait', async () => {
    const clock = new ManualClock();
    const p = echoProvider({ latencyMs: 100, clock });
    const before = new AbortController();
    before.abort();
    await expect(p.send(request(), { signal: before.signal })).rejects.toBeInstanceOf(AbortError);
    // Without latency it answers at once and never reads the signal: reading an attempt's signal
    // makes it, and an AbortSignal per call is a good share of a zero-latency call's cost.
    const unread = {
      get signal(): AbortSignal {
        throw new Error('read');
      },
    };
    await expect(echoProvider().send(request(), unread)).resolves.toMatchObject({ text: expect.any(String) });

    const during = new AbortController();
    const pending = p.send(request(), { signal: during.signal });
    await clock.advance(50);
    const reason = new TimeoutError('timeout', 'attempt timed out');
    during.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  // What makes it cheap, asserted without a stopwatch: at zero latency a call takes no timer and
  // settles on the microtask queue, and every answer shares one empty Headers.
  it('answers at zero latency without a timer or a turn of the event loop', async () => {
    const clock = new ManualClock();
    const p = echoProvider({ clock });
    const signal = live();
    const pending = Array.from({ length: 1000 }, () => p.send(request(), { signal }));
    expect(clock.pendingTimers).toBe(0);
    let settled = 0;
    for (const call of pending) void call.then(() => settled++);
    // A macrotask would not run inside this loop of microtask turns.
    for (let turn = 0; turn < 10 && settled < pending.length; turn++) await Promise.resolve();
    expect(settled).toBe(pending.length);
    const answers = await Promise.all(pending);
    expect(new Set(answers.map((answer) => answer.headers)).size).toBe(1);
  });

  it('describes itself as the contract asks, and reads its own bodies', async () => {
    const p = echoProvider();
    expect({ kind: p.kind, name: p.name, endpoint: p.endpoint }).toEqual({
      kind: 'echo',
      name: 'echo',
      endpoint: '/v1/chat/completions',
    });
    expect(p.requestBody(request({ maxTokens: 5 }))).toMatchObject({ model: 'echo-1', max_tokens: 5 });
    const body = {
      model: 'echo-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    };
    expect(p.readBody(body)).toEqual({ text: 'hi', usage: undefined, finishReason: 'stop', model: 'echo-1' });
  });

  it('validates its options', () => {
    expect(() => echoProvider({ latencyMs: -1 })).toThrow(/`latencyMs` to be a number of at least 0, got -1/);
    expect(() => echoProvider({ latencyMs: '5' as never })).toThrow(/got '5'/);
    expect(() => echoProvider({ clock: {} as never })).toThrow(/`clock` to be a Clock/);
    expect(() => echoProvider({ latency: 5 } as never)).toThrow(/Unknown option `latency`/);
  });
});
