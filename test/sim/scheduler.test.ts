import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cpu, msToUs, Scheduler } from "../../src/sim/scheduler.ts";

describe("Scheduler", () => {
  it("runs events by time, ties in insertion order, and advances now", () => {
    const s = new Scheduler();
    const log: string[] = [];
    const rec = (name: string) => () => log.push(`${name}@${s.now}`);
    s.at(20, rec("c"));
    s.at(10, rec("a"));
    s.at(20, rec("d"));
    s.after(10, rec("b"));
    s.schedule({ at: 5 }, rec("first"));
    s.schedule({ after: 30 }, rec("last"));
    expect(s.pendingCount).toBe(6);
    expect(s.run()).toBe(6);
    expect(log).toEqual(["first@5", "a@10", "b@10", "c@20", "d@20", "last@30"]);
    expect(s.now).toBe(30);
    expect(s.eventsExecuted).toBe(6);
  });

  it("orders equal-time events by insertion (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 100 }), (times) => {
        const s = new Scheduler();
        const fired: number[] = [];
        for (const [i, t] of times.entries()) s.at(t, () => fired.push(i));
        s.run();
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(fired).toEqual(expected.map((e) => e.i));
      }),
    );
  });

  it("events scheduled from a handler at the current time run after it, in the same runUntil", () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.at(10, () => {
      log.push("outer");
      s.after(0, () => log.push("inner"));
    });
    s.at(10, () => log.push("sibling"));
    expect(s.runUntil(10)).toBe(3);
    expect(log).toEqual(["outer", "sibling", "inner"]);
  });

  it("runUntil stops at the bound and sets now to it; step runs one event", () => {
    const s = new Scheduler();
    const log: number[] = [];
    for (const t of [5, 10, 15]) s.at(t, () => log.push(t));
    expect(s.runUntil(10)).toBe(2);
    expect(s.now).toBe(10);
    expect(log).toEqual([5, 10]);
    expect(s.runUntil(12)).toBe(0);
    expect(s.now).toBe(12);
    expect(s.nextTime()).toBe(15);
    expect(s.step()).toBe(true);
    expect(s.now).toBe(15);
    expect(s.step()).toBe(false);
  });

  it("cancelled events never run; cancel reports whether it was pending", () => {
    const s = new Scheduler();
    const log: string[] = [];
    const a = s.at(10, () => log.push("a"));
    const b = s.at(10, () => log.push("b"));
    const c = s.at(20, () => log.push("c"));
    s.at(5, () => {
      expect(b.cancel()).toBe(true);
    });
    expect(c.cancel()).toBe(true);
    expect(c.cancel()).toBe(false);
    expect(s.nextTime()).toBe(5);
    s.run();
    expect(log).toEqual(["a"]);
    expect(a.cancel()).toBe(false);
    expect(a.pending).toBe(false);
    expect(b.cancelled).toBe(true);
    expect(s.pendingCount).toBe(0);
    expect(s.now).toBe(10);
  });

  it("many cancellations compact the queue without losing live events", () => {
    const s = new Scheduler();
    const live: number[] = [];
    const handles = [];
    for (let i = 0; i < 5000; i++) handles.push(s.at(i, () => live.push(i)));
    for (let i = 0; i < 5000; i++) if (i % 10 !== 0) handles[i]!.cancel();
    expect(s.pendingCount).toBe(500);
    s.run();
    expect(live).toEqual(Array.from({ length: 500 }, (_, k) => k * 10));
  });

  it("refuses times in the past, non-integer times and re-entrant runs", () => {
    const s = new Scheduler();
    s.runUntil(100);
    expect(() => s.at(99, () => {})).toThrow(/integer >= now/);
    expect(() => s.at(100.5, () => {})).toThrow();
    expect(() => s.after(-1, () => {})).toThrow();
    expect(() => s.runUntil(50)).toThrow();
    s.after(0, () => s.runUntil(200));
    expect(() => s.run()).toThrow(/inside an event handler/);
  });

  it("msToUs converts scenario milliseconds to integer µs", () => {
    expect(msToUs(6000)).toBe(6_000_000);
    expect(msToUs(0.0004)).toBe(0);
    expect(msToUs(2.5)).toBe(2500);
  });
});

describe("Cpu", () => {
  it("one core: work completes at max(now, busyUntil) + cost, serially", () => {
    const s = new Scheduler();
    const cpu = new Cpu(s);
    const done: string[] = [];
    const j1 = cpu.submit("v1", 100, () => done.push(`j1@${s.now}`));
    const j2 = cpu.submit("v1", 50, () => done.push(`j2@${s.now}`));
    const other = cpu.submit("v2", 30, () => done.push(`other@${s.now}`));
    expect([j1.start, j1.end, j2.start, j2.end]).toEqual([0, 100, 100, 150]);
    expect(other.end).toBe(30); // another node's core is independent
    expect(cpu.busyUntil("v1")).toBe(150);
    s.runUntil(500);
    const j3 = cpu.submit("v1", 10, () => done.push(`j3@${s.now}`));
    expect(j3.start).toBe(500); // idle core: starts now
    s.run();
    expect(done).toEqual(["other@30", "j1@100", "j2@150", "j3@510"]);
    expect(cpu.busyTimeUs("v1")).toBe(160);
  });

  it("several cores: a job takes the core that frees first", () => {
    const s = new Scheduler();
    const cpu = new Cpu(s);
    cpu.setCores("v1", 2);
    const ends = [100, 30, 50, 10].map((c) => cpu.submit("v1", c, () => {}).end);
    // core0: 0-100; core1: 0-30, then 30-80 (free first), then core1 again 80-90.
    expect(ends).toEqual([100, 30, 80, 90]);
    expect(cpu.busyUntil("v1")).toBe(90);
    expect(() => cpu.setCores("v1", 4)).toThrow();
  });

  it("cancelling a job skips done but keeps the core time", () => {
    const s = new Scheduler();
    const cpu = new Cpu(s);
    let ran = false;
    cpu
      .submit("v1", 100, () => {
        ran = true;
      })
      .handle.cancel();
    expect(cpu.submit("v1", 10, () => {}).end).toBe(110);
    s.run();
    expect(ran).toBe(false);
  });
});
