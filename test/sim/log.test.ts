import { describe, expect, it } from "vitest";
import { formatOffset, Logger, type LogRecord, slotClock } from "../../src/sim/log.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

function capture(level?: "error" | "warn" | "info" | "debug" | "trace") {
  const sched = new Scheduler();
  const lines: string[] = [];
  const records: LogRecord[] = [];
  const logger = new Logger({
    clock: sched,
    chainClock: slotClock(6_000_000),
    sink: (line, record) => {
      lines.push(line);
      records.push(record);
    },
    ...(level === undefined ? {} : { level }),
  });
  return { sched, logger, lines, records };
}

describe("log", () => {
  it("formats lines in chain time with sorted fields", () => {
    const { sched, logger, lines, records } = capture();
    sched.runUntil(127 * 6_000_000 + 2_500_000);
    logger.for("v3", "backing").info("Candidate seconded", { paraId: 2000, candidateHash: "0xab" });
    logger.log("warn", "c2000-1", "collator", "No slot");
    expect(lines).toEqual([
      'rb#128 +2.500s v3 backing: Candidate seconded {"candidateHash":"0xab","paraId":2000}',
      "rb#128 +2.500s c2000-1 collator: No slot",
    ]);
    expect(records[1]).toMatchObject({ level: "warn", relayBlock: 128, offsetUs: 2_500_000 });
  });

  it("filters by level and builds lazy fields only when emitted", () => {
    const { logger, lines } = capture("info");
    let built = 0;
    const fields = () => {
      built++;
      return { x: 1 };
    };
    const log = logger.for("v1", "approval");
    log.debug("hidden", fields);
    log.error("shown", fields);
    expect(lines).toEqual(['rb#1 +0.000s v1 approval: shown {"x":1}']);
    expect(built).toBe(1);
    expect(log.enabled("debug")).toBe(false);
    logger.setLevel("trace");
    log.trace("now visible");
    expect(lines).toHaveLength(2);
  });

  it("slotClock and formatOffset", () => {
    const clock = slotClock(6_000_000, 1_000_000);
    expect(clock(500_000)).toEqual({ relayBlock: 0, offsetUs: 500_000 });
    expect(clock(1_000_000)).toEqual({ relayBlock: 1, offsetUs: 0 });
    expect(clock(13_000_001)).toEqual({ relayBlock: 3, offsetUs: 1 });
    expect(formatOffset(2_500_000)).toBe("+2.500s");
    expect(formatOffset(5_999_999)).toBe("+5.999s");
    expect(formatOffset(12_345_678)).toBe("+12.345s");
  });
});
