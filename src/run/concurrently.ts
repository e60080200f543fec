/**
 * The shape most executors share: start each item as it is handed over, and yield what each one
 * ends in as soon as it ends, in any order. The engine hands items over only while the run has
 * room, so nothing here bounds them.
 */
export async function* concurrently<I, O>(
  items: AsyncIterable<I>,
  start: (item: I) => Promise<O>,
): AsyncGenerator<O> {
  const finished: O[] = [];
  let running = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const reading = (async () => {
    try {
      for await (const item of items) {
        running++;
        start(item).then(
          (outcome) => {
            running--;
            finished.push(outcome);
            notify();
          },
          (error: unknown) => {
            running--;
            failure ??= { error };
            notify();
          },
        );
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      ended = true;
      notify();
    }
  })();
  for (;;) {
    if (failure) throw failure.error;
    if (finished.length > 0) {
      // Taken in one go: yielding one at a time from the front of an array is quadratic.
      const batch = finished.splice(0);
      for (const outcome of batch) yield outcome;
      continue;
    }
    if (ended && running === 0) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  await reading;
}
