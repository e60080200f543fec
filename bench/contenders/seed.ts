/**
 * The seed pattern, as tutorials write it: a semaphore of 10, three attempts, and on a 429 a sleep of
 * `2 ** attempt` seconds while still holding the semaphore. The `openai` SDK's own retries (2, with
 * its backoff) stay on underneath, as they are by default.
 */
import OpenAI from 'openai';
import { complete, runItems, sdkClient, sleep } from './shared.js';
import type { Contender } from './types.js';

const CONCURRENCY = 10;
const ATTEMPTS = 3;

/** The hand-written semaphore of the pattern: a counter and a queue of waiters. */
class Semaphore {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}

export const seed: Contender = (ctx) => {
  const client = sdkClient(ctx);
  const semaphore = new Semaphore(CONCURRENCY);
  const ask = async (prompt: string): Promise<string> => {
    await semaphore.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await complete(client, ctx.model, prompt);
        } catch (error) {
          if (error instanceof OpenAI.RateLimitError && attempt < ATTEMPTS - 1) {
            await sleep(2 ** attempt * 1000);
            continue;
          }
          throw error;
        }
      }
    } finally {
      semaphore.release();
    }
  };
  return runItems(ctx, ask);
};
