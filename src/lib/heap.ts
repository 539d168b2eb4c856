/**
 * Binary min-heap over a comparator, array-based: the event queue of the simulator.
 *
 * Invariant: for every index i > 0, `compare(items[parent(i)], items[i]) <= 0`, so `peek()` is a
 * minimum. The heap is not stable by itself: callers that need a total order on ties (the
 * scheduler does) put a tie-breaker in the comparator. Written by hand instead of tinyqueue: the
 * scheduler needs `retain` (drop cancelled events in O(n)), and this is 80 lines.
 */

export type Comparator<T> = (a: T, b: T) => number;

export class Heap<T> {
  private readonly items: T[] = [];
  private readonly compare: Comparator<T>;

  constructor(compare: Comparator<T>, initial?: Iterable<T>) {
    this.compare = compare;
    if (initial !== undefined) {
      for (const x of initial) this.items.push(x);
      this.heapify();
    }
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    const cmp = this.compare;
    let i = items.length;
    items.push(item);
    // Sift up: move the hole towards the root while the parent is larger.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p] as T;
      if (cmp(item, parent) >= 0) break;
      items[i] = parent;
      i = p;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0] as T;
    const last = items.pop() as T;
    if (n > 1) this.siftDown(0, last);
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Keeps only the items for which `keep` is true, in O(n). Returns the number removed. */
  retain(keep: (item: T) => boolean): number {
    const items = this.items;
    let w = 0;
    for (let r = 0; r < items.length; r++) {
      const x = items[r] as T;
      if (keep(x)) items[w++] = x;
    }
    const removed = items.length - w;
    items.length = w;
    if (removed > 0) this.heapify();
    return removed;
  }

  /** The items in heap (not sorted) order; a copy. */
  toArray(): T[] {
    return this.items.slice();
  }

  private heapify(): void {
    const items = this.items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i, items[i] as T);
  }

  /** Places `item` at the hole `i`, moving smaller children up. */
  private siftDown(i: number, item: T): void {
    const items = this.items;
    const cmp = this.compare;
    const n = items.length;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let child = items[c] as T;
      const r = c + 1;
      if (r < n && cmp(items[r] as T, child) < 0) {
        c = r;
        child = items[r] as T;
      }
      if (cmp(item, child) <= 0) break;
      items[i] = child;
      i = c;
    }
    items[i] = item;
  }
}
