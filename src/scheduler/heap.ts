/**
 * A priority queue ordered by `before(a, b)`: true when `a` must come out first. Most items arrive
 * already in order (calls queued one after another, at one priority), so those go to a sorted run,
 * a plain first-in first-out array that costs nothing to push or pop; only an item that would jump
 * the run's last (a retry, a higher priority, a call put back) goes to a binary min-heap. The front
 * is whichever of the two heads comes first.
 */
export class Heap<T> {
  #heap: T[] = [];
  #run: T[] = [];
  #runHead = 0;

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.#heap.length + this.#run.length - this.#runHead;
  }

  peek(): T | undefined {
    const top = this.#heap[0];
    const head = this.#run[this.#runHead];
    if (top === undefined) return head;
    if (head === undefined) return top;
    return this.before(top, head) ? top : head;
  }

  push(item: T): void {
    const run = this.#run;
    const last = run.length > this.#runHead ? run[run.length - 1] : undefined;
    if (last === undefined || !this.before(item, last)) run.push(item);
    else this.#heapPush(item);
  }

  pop(): T | undefined {
    const top = this.#heap[0];
    const head = this.#run[this.#runHead];
    if (head !== undefined && (top === undefined || !this.before(top, head))) return this.#runPop();
    return this.#heapPop();
  }

  /** Every item, in no particular order; not to be changed while iterated. */
  items(): readonly T[] {
    if (this.#runHead === this.#run.length) return this.#heap;
    if (this.#heap.length === 0 && this.#runHead === 0) return this.#run;
    return [...this.#heap, ...this.#run.slice(this.#runHead)];
  }

  /** Removes and returns every item, in no particular order. */
  drain(): T[] {
    const items = [...this.#heap, ...this.#run.slice(this.#runHead)];
    this.#heap = [];
    this.#run = [];
    this.#runHead = 0;
    return items;
  }

  #runPop(): T | undefined {
    const run = this.#run;
    const item = run[this.#runHead];
    run[this.#runHead++] = undefined as T; // let it be collected
    if (this.#runHead === run.length) {
      this.#run = [];
      this.#runHead = 0;
    } else if (this.#runHead > 1024 && this.#runHead * 2 > run.length) {
      this.#run = run.slice(this.#runHead);
      this.#runHead = 0;
    }
    return item;
  }

  #heapPush(item: T): void {
    const items = this.#heap;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent]!;
      if (!this.before(item, above)) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  #heapPop(): T | undefined {
    const items = this.#heap;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(items[right]!, items[left]!) ? right : left;
      if (!this.before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
