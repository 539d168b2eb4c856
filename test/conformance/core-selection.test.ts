import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runVector } from "../../src/conformance/runner.ts";
import { coreSelectionSuite } from "../../src/conformance/suites/core-selection.ts";

const suites = new Map([[coreSelectionSuite.name, coreSelectionSuite]]);
const DIR = join(import.meta.dirname, "../../conformance/shared/vectors/core-selection");
const shared = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), "utf8"))] as const);

const claimQueue = { "0": [2000, 2000], "2": [1000, 2000], "5": [1000, 1000], "7": [1000, 2000] };
const run = (steps: unknown[], given: unknown = { claimQueue }) =>
  runVector({ suite: "core-selection", name: "t", given, steps }, suites, "t.json");
const check = (over: Record<string, unknown>, expect: unknown) => ({
  op: "checkCoreIndex",
  paraId: 1000,
  descriptorVersion: "v2",
  descriptorCoreIndex: 5,
  upwardMessages: ["0x0102", "0x", "0x000400"],
  ...over,
  expect,
});

describe("core-selection suite", () => {
  it("has shared vectors", () => expect(shared.length).toBeGreaterThan(0));

  it.each(shared)("passes %s", (file, vector) => {
    expect(runVector(vector, suites, file)).toMatchObject({ status: "pass" });
  });

  it("reports a FAIL saying what differed when an expectation is wrong", () => {
    const v = run([
      check(
        { descriptorCoreIndex: 7 },
        { error: { code: "CoreIndexMismatch", descriptor: 7, commitments: 2 } },
      ),
    ]);
    expect(v.status).toBe("fail");
    expect(v.status === "fail" && v.reason).toContain("commitments: expected 2, got 5");
    expect(run([check({}, { error: { code: "NoAssignment" } })]).status).toBe("fail");
  });

  it("covers every error variant and the parsed signals", () => {
    const v = run([
      check({}, { ok: { selectCore: [4, 0], approvedPeer: null } }),
      check({ upwardMessages: ["0x", "0x07"] }, { error: { code: "UmpSignalDecode" } }),
      check(
        { upwardMessages: ["0x", "0x000000", "0x000100"] },
        { error: { code: "DuplicateUMPSignal" } },
      ),
      check(
        { upwardMessages: ["0x", "0x000000", "0x0100", "0x000000"] },
        { error: { code: "TooManyUMPSignals" } },
      ),
      check({ descriptorVersion: "v1" }, { error: { code: "UMPSignalWithV1Decriptor" } }),
      check({ descriptorVersion: "v1", upwardMessages: ["0x01", "0x"] }, "ok"),
      check(
        { descriptorVersion: "unknown", internalVersion: 3 },
        { error: { code: "UnknownVersion", version: 3 } },
      ),
      check({ upwardMessages: ["0x", "0x000002"] }, { error: { code: "NoAssignment" } }),
      check({ paraId: 3000 }, { error: { code: "NoAssignment" } }),
      check(
        { upwardMessages: [], descriptorCoreIndex: 0 },
        { error: { code: "InvalidCoreIndex" } },
      ),
      check({ upwardMessages: [], descriptorCoreIndex: 7 }, "ok"),
      {
        op: "umpSignals",
        upwardMessages: ["0x", "0x0104aa", "0x000301"],
        expect: { ok: { selectCore: [3, 1], approvedPeer: "0xaa" } },
      },
    ]);
    expect(v).toEqual({ status: "pass", name: "t" });
  });

  it("an empty or missing claim queue means no assignment", () => {
    expect(run([check({}, { error: { code: "NoAssignment" } })], {}).status).toBe("pass");
    expect(run([check({}, { error: { code: "NoAssignment" } })], { claimQueue: {} }).status).toBe(
      "pass",
    );
  });

  it.each([
    [[{ op: "selectCore" }], claimQueue, "unknown op"],
    [[check({ descriptorVersion: "v3" }, "ok")], claimQueue, "descriptorVersion"],
    [[check({ descriptorCoreIndex: 70000 }, "ok")], claimQueue, "descriptorCoreIndex"],
    [[check({ upwardMessages: ["zz"] }, "ok")], claimQueue, "upwardMessages[0]"],
    [[check({}, "ok")], { x: [1] }, "claimQueue.x"],
    [[check({}, "ok")], { "1": [1, "a"] }, "claimQueue.1"],
  ])("a malformed vector is an error (%j)", (steps, cq, where) => {
    const v = run(steps, { claimQueue: cq });
    expect(v.status).toBe("error");
    expect(v.status === "error" && v.reason).toContain(where);
  });
});
