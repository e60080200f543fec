/**
 * Deterministic flow tests: a Volley over a fake provider on a manual clock. Each call takes
 * exactly `latency` ms; a prompt asking for "N sections" (or items, points) gets a numbered list,
 * streamed line by line at even intervals when the call streams.
 */
import { Volley } from '../../client/volley.js';
import { sleep } from '../../clock.js';
import type { ProviderRequest } from '../../providers/types.js';
import { answer, fakeProvider } from '../../test-support/fake-provider.js';
import { ManualClock } from '../../test-support/manual-clock.js';

export interface FakeOptions {
  readonly latency?: number;
  /** The answer's text for a prompt; default: a list for "N sections", else `answer to: <prompt>`. */
  readonly reply?: (prompt: string, request: ProviderRequest, call: number) => string;
  /** A streamed answer ends with this extra line after the list (as models often write). */
  readonly trailer?: string;
  /** How a streamed answer is cut into deltas. @default one per line */
  readonly pieces?: (text: string) => string[];
  readonly concurrency?: number;
}

export function fakeVolley(options: FakeOptions = {}) {
  const clock = new ManualClock();
  const latency = options.latency ?? 120;
  const reply = options.reply ?? defaultReply;
  const provider = fakeProvider(async (request, context, call) => {
    const text = reply(lastUser(request), request, call);
    if (!context.onDelta) {
      await sleep(clock, latency, context.signal);
      return answer(text);
    }
    const lines = text.split('\n');
    const trailer = options.trailer;
    const pieces =
      options.pieces?.(text) ??
      lines.map((line, i) => (i < lines.length - 1 || trailer !== undefined ? `${line}\n` : line));
    if (trailer !== undefined) pieces.push(trailer);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      const next = Math.round((latency * (i + 1)) / pieces.length);
      await sleep(clock, next - at, context.signal);
      at = next;
      context.onDelta(pieces[i]!);
    }
    return answer(pieces.join(''));
  });
  const volley = new Volley({
    provider,
    clock,
    random: () => 0,
    limits: { concurrency: options.concurrency ?? 64 },
  });
  return { clock, provider, volley, latency };
}

export function defaultReply(prompt: string): string {
  const count = /(\d+) (?:sections|items|points)/.exec(prompt);
  if (!count) return `answer to: ${prompt}`;
  return Array.from(
    { length: Number(count[1]) },
    (_, i) => `${i + 1}. Part ${i + 1} of ${prompt.slice(0, 20)}`,
  ).join('\n');
}

export function lastUser(request: ProviderRequest): string {
  const user = request.messages.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : '';
}

/** Runs the clock 1 ms at a time, draining every pending callback between steps, until `promise` settles. */
export async function drive<T>(clock: ManualClock, promise: Promise<T>, limitMs = 60_000): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let t = 0; t < limitMs; t++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    await clock.advance(1);
  }
  return promise;
}
