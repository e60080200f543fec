/** An async iterable fed by hand (items handed from the batches to realtime), and a merge of two. */

export class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  /** Clock time the auto executor switched to realtime, which it records beside the channel. */
  switchedAt: number | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        yield* this.#items.splice(0);
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Both iterables' values as they come, each with the index of the one it came from. */
export async function* merge<A, B>(
  a: AsyncIterable<A>,
  b: AsyncIterable<B>,
): AsyncGenerator<readonly [0, A] | readonly [1, B]> {
  const iterators = [a[Symbol.asyncIterator](), b[Symbol.asyncIterator]()] as const;
  const next = (i: 0 | 1) => iterators[i].next().then((result) => ({ i, result }));
  const pending = new Map<0 | 1, Promise<{ i: 0 | 1; result: IteratorResult<A | B> }>>([
    [0, next(0)],
    [1, next(1)],
  ]);
  while (pending.size > 0) {
    const { i, result } = await Promise.race(pending.values());
    if (result.done) {
      pending.delete(i);
      continue;
    }
    pending.set(i, next(i));
    yield (i === 0 ? [0, result.value as A] : [1, result.value as B]) as readonly [0, A] | readonly [1, B];
  }
}
