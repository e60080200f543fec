/**
 * The tokenizer's tables are loaded only once the tokens budget holds a call back: a budget that
 * never binds costs neither their memory nor the time to load them. Its own file, because whether
 * the tables are loaded is module state.
 */
import { describe, expect, it, vi } from 'vitest';
import { Volley } from '../client/volley.js';
import { fakeProvider } from '../test-support/fake-provider.js';
import { ManualClock, settleOn } from '../test-support/manual-clock.js';
import { tokenizerLoaded } from '../tokens/count.js';

const plain = () =>
  Promise.resolve({
    text: 'ok',
    usage: undefined,
    finishReason: 'stop' as const,
    model: 'fake-model',
    requestID: undefined,
    headers: new Headers(),
    raw: {},
  });

describe('the tokenizer under a tokens budget', () => {
  it('stays unloaded while the budget holds nothing back, and loads once it does', async () => {
    const clock = new ManualClock();
    const roomy = new Volley({ provider: fakeProvider(plain), clock, limits: { tpm: 100_000_000 } });
    await settleOn(
      clock,
      roomy.all(Array.from({ length: 50 }, (_, i) => ({ prompt: `Tell me about item ${i}.` }))),
    );
    expect(tokenizerLoaded()).toBe(false);

    // 600 a minute, 10 in the bucket: the second call waits, and the tables start loading.
    const tight = new Volley({ provider: fakeProvider(plain), clock, limits: { tpm: 600 } });
    const done = tight.all([{ prompt: 'a' }, { prompt: 'b' }], { id: 't' });
    await clock.advance(0);
    // Loading takes real time (an import), however the manual clock stands.
    await vi.waitFor(() => expect(tokenizerLoaded()).toBe(true), { timeout: 60_000, interval: 20 });
    await settleOn(clock, done);
  }, 90_000);
});
