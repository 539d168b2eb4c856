/**
 * The scheduler's `Coalescer` (a modelled grouping used by the network's broadcasts): handlers
 * run at the end of their bucket, never before their time and less than a bucket after it, in
 * time order then submission order, one scheduler event per bucket.
 */
import { describe, expect, it } from "vitest";
import { Coalescer, Scheduler } from "../../src/sim/scheduler.ts";

describe("Coalescer", () => {
  it("runs each handler at the end of its bucket, by time then submission, one event per bucket", () => {
    const sched = new Scheduler();
    const co = new Coalescer(sched, 1000);
    const ran: string[] = [];
    const at = (time: number, name: string) => co.at(time, () => ran.push(`${name}@${sched.now}`));
    at(1500, "b");
    at(1001, "a");
    at(1500, "c");
    at(2000, "d"); // exactly on a boundary: runs then, not a bucket later
    at(2001, "e");
    sched.run();
    expect(ran).toEqual(["a@2000", "b@2000", "c@2000", "d@2000", "e@3000"]);
    expect(sched.eventsExecuted).toBe(2);
  });

  it("a handler added to the bucket being run goes to a new event at the same time, after it", () => {
    const sched = new Scheduler();
    const co = new Coalescer(sched, 1000);
    const ran: string[] = [];
    co.at(500, () => {
      ran.push(`first@${sched.now}`);
      co.at(sched.now, () => ran.push(`added@${sched.now}`));
    });
    co.at(600, () => ran.push(`second@${sched.now}`));
    sched.run();
    expect(ran).toEqual(["first@1000", "second@1000", "added@1000"]);
  });

  it("refuses times in the past", () => {
    const sched = new Scheduler();
    const co = new Coalescer(sched, 1000);
    sched.runUntil(5000);
    expect(() => co.at(4999, () => {})).toThrow(/integer >= now/);
  });
});
