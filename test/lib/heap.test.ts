import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Heap } from "../../src/lib/heap.ts";

const byNumber = (a: number, b: number): number => a - b;

function drain<T>(heap: Heap<T>): T[] {
  const out: T[] = [];
  for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
  return out;
}

describe("Heap", () => {
  it("pops in sorted order whatever the push order (property, against Array.sort)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 300 }), (xs) => {
        const heap = new Heap(byNumber);
        for (const x of xs) heap.push(x);
        expect(heap.size).toBe(xs.length);
        expect(drain(heap)).toEqual(xs.slice().sort(byNumber));
      }),
    );
  });

  it("interleaved push/pop behaves like a sorted multiset (property)", () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 50 }) }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new Heap(byNumber);
        const model: number[] = [];
        for (const o of ops) {
          if ("push" in o) {
            heap.push(o.push);
            model.push(o.push);
            model.sort(byNumber);
          } else {
            expect(heap.pop()).toBe(model.shift());
          }
          expect(heap.peek()).toBe(model[0]);
          expect(heap.size).toBe(model.length);
        }
      }),
    );
  });

  it("heapifies initial items and retains a subset", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 200 }), (xs) => {
        const heap = new Heap(byNumber, xs);
        const removed = heap.retain((x) => x % 3 !== 0);
        const kept = xs.filter((x) => x % 3 !== 0).sort(byNumber);
        expect(removed).toBe(xs.length - kept.length);
        expect(drain(heap)).toEqual(kept);
      }),
    );
  });

  it("uses the comparator, so a tie-breaker gives a total order", () => {
    type Ev = { t: number; seq: number };
    const heap = new Heap<Ev>((a, b) => a.t - b.t || a.seq - b.seq);
    for (const [seq, t] of [3, 1, 3, 1, 2].entries()) heap.push({ t, seq });
    expect(drain(heap).map((e) => `${e.t}.${e.seq}`)).toEqual(["1.1", "1.3", "2.4", "3.0", "3.2"]);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
    heap.push({ t: 0, seq: 9 });
    heap.clear();
    expect(heap.size).toBe(0);
  });
});
