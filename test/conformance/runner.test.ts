import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { conformanceCommand } from "../../src/cli/conformance.ts";
import { VectorError } from "../../src/conformance/json.ts";
import { runVector } from "../../src/conformance/runner.ts";
import { errOutcome, okOutcome, type Suite, UnorderedList } from "../../src/conformance/suite.ts";
import { panic } from "../../src/lib/assert.ts";

/** A toy suite: a counter with ops that succeed, fail, panic and return sets. */
const counter: Suite = {
  name: "counter",
  givenKeys: ["start"],
  ops: { add: ["by"], get: [], sub: ["by"], boom: [], digits: [], bytes: [], crash: [] },
  init(given) {
    let n = given.numOr("start", 0);
    return (op, step) => {
      switch (op) {
        case "add":
          n += step.num("by");
          return okOutcome({ value: n, even: n % 2 === 0 });
        case "get":
          return okOutcome(n);
        case "sub":
          if (step.num("by") > n)
            return errOutcome({ code: "Underflow", have: n, inner: { code: "Deep" } });
          n -= step.num("by");
          return okOutcome(n);
        case "boom":
          panic(`counter exploded at ${n}`);
          break;
        case "digits":
          return okOutcome(new UnorderedList(String(n).split("").map(Number)));
        case "bytes":
          return okOutcome(new Uint8Array([0xab, 0xcd]));
        case "crash":
          throw new TypeError("oops");
      }
      throw new VectorError(`unknown op ${JSON.stringify(op)}`);
    };
  },
};
const suites = new Map([[counter.name, counter]]);
const vec = (steps: unknown[], given: unknown = { start: 1 }) => ({
  suite: "counter",
  name: "t",
  given,
  steps,
});
const run = (steps: unknown[], given?: unknown) =>
  runVector(vec(steps, given), suites, "file.json");

describe("conformance runner", () => {
  it("passes matching expectations of every form", () => {
    const v = run([
      { op: "add", by: 2, expect: "ok" },
      { op: "add", by: 1, expect: { ok: { value: 4 } } },
      { op: "get", expect: 4 },
      { op: "sub", by: 9, expect: { error: { code: "Underflow", inner: { code: "Deep" } } } },
      { op: "boom", expect: { panic: "exploded" } },
      { op: "add", by: 0 },
    ]);
    expect(v).toEqual({ status: "pass", name: "t" });
  });

  it("reports a wrong value as FAIL with what differed", () => {
    const v = run([{ op: "add", by: 2, expect: { ok: { value: 4 } } }]);
    expect(v.status).toBe("fail");
    if (v.status !== "fail") return;
    expect(v.reason).toContain("steps[0] (add)");
    expect(v.reason).toContain("value: expected 4, got 3");
  });

  it("fails when an error is expected but the op succeeds, and vice versa", () => {
    expect(run([{ op: "add", by: 1, expect: { error: { code: "Underflow" } } }]).status).toBe(
      "fail",
    );
    expect(run([{ op: "sub", by: 5, expect: "ok" }]).status).toBe("fail");
    expect(run([{ op: "sub", by: 5, expect: { error: { code: "Overflow" } } }]).status).toBe(
      "fail",
    );
    expect(
      run([
        { op: "sub", by: 5, expect: { error: { code: "Underflow", inner: { code: "Shallow" } } } },
      ]).status,
    ).toBe("fail");
  });

  it("checks panic messages and refuses a panic where a value is expected", () => {
    expect(run([{ op: "boom", expect: { panic: "imploded" } }]).status).toBe("fail");
    expect(run([{ op: "boom", expect: 1 }]).status).toBe("fail");
    expect(run([{ op: "add", by: 1, expect: { panic: "exploded" } }]).status).toBe("fail");
  });

  it("fails a setup step that errors", () => {
    const v = run([{ op: "sub", by: 5 }]);
    expect(v.status).toBe("fail");
  });

  it("compares sets without order but arrays with order", () => {
    expect(
      run([
        { op: "add", by: 122 },
        { op: "digits", expect: [3, 2, 1] },
      ]).status,
    ).toBe("pass");
    expect(
      run([
        { op: "add", by: 122 },
        { op: "digits", expect: [3, 2] },
      ]).status,
    ).toBe("fail");
    expect(
      run([
        { op: "add", by: 122 },
        { op: "digits", expect: [3, 2, 2] },
      ]).status,
    ).toBe("fail");
  });

  it("normalises bytes to lowercase hex", () => {
    expect(run([{ op: "bytes", expect: { ok: "0xABCD" } }]).status).toBe("pass");
    expect(run([{ op: "bytes", expect: { ok: "0xabce" } }]).status).toBe("fail");
  });

  it("treats an unknown suite, an unknown op or a malformed step as an ERROR, never a pass", () => {
    expect(
      runVector({ suite: "nope", name: "x", steps: [{ op: "get" }] }, suites, "f").status,
    ).toBe("error");
    expect(run([{ op: "frobnicate", expect: "ok" }]).status).toBe("error");
    expect(run([{ op: "add", by: "two", expect: "ok" }]).status).toBe("error");
    expect(run([]).status).toBe("error");
    expect(runVector([1, 2], suites, "f").status).toBe("error");
    expect(run([{ op: "get", expect: { maybe: 1 } }]).status).toBe("error");
  });

  it("refuses a misspelt `expect` as an ERROR naming its path and the allowed keys", () => {
    // Read as a setup step, this vector would pass without checking anything.
    const v = run([
      { op: "add", by: 2, expect: "ok" },
      { op: "get", expcet: 99 },
    ]);
    expect(v).toEqual({
      status: "error",
      name: "t",
      reason: "steps[1].expcet: unknown key (allowed: op, expect)",
    });
    const withArgs = run([{ op: "add", by: 2, expcet: { ok: { value: 99 } } }]);
    expect(withArgs.status === "error" && withArgs.reason).toBe(
      "steps[0].expcet: unknown key (allowed: op, expect, by)",
    );
  });

  it("refuses an unknown key at the top, in `given` and in an expectation", () => {
    const top = runVector({ ...vec([{ op: "get", expect: 1 }]), sets: [] }, suites, "f.json");
    expect(top.status === "error" && top.reason).toBe(
      "sets: unknown key (allowed: suite, name, ref, generation, given, steps)",
    );
    const given = run([{ op: "get", expect: 1 }], { strat: 1 });
    expect(given.status === "error" && given.reason).toBe(
      "given.strat: unknown key (allowed: start)",
    );
    const wrapper = run([{ op: "get", expect: { okay: 1 } }]);
    expect(wrapper.status === "error" && wrapper.reason).toBe(
      "steps[0].expect.okay: unknown key (allowed: ok, error, panic)",
    );
    const two = run([{ op: "get", expect: { ok: 1, error: { code: "X" } } }]);
    expect(two.status === "error" && two.reason).toContain("steps[0].expect: expected exactly one");
    const generation = runVector(
      { ...vec([{ op: "get", expect: 1 }]), generation: "2023" },
      suites,
      "f.json",
    );
    expect(generation.status).toBe("error");
  });

  it("reports a malformed later step as an ERROR even when an earlier step fails", () => {
    const v = run([
      { op: "add", by: 2, expect: 0 },
      { op: "get", expcet: 3 },
    ]);
    expect(v.status === "error" && v.reason).toContain("steps[1].expcet");
  });

  it("still passes a valid vector with every top-level key", () => {
    const v = runVector(
      {
        ...vec([
          { op: "add", by: 2, expect: { ok: { value: 3 } } },
          { op: "get", expect: 3 },
        ]),
        ref: "counter.rs::adds",
        generation: "current",
      },
      suites,
      "f.json",
    );
    expect(v).toEqual({ status: "pass", name: "t" });
  });

  it("names the vector file in the ERROR line and exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "parapipe-vectors-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const file = join(dir, "misspelt.json");
      writeFileSync(
        file,
        JSON.stringify({
          suite: "runtime-math",
          name: "misspelt expect",
          steps: [{ op: "availabilityThreshold", validators: 10, expcet: 7 }],
        }),
      );
      expect(conformanceCommand([dir], {})).toBe(2);
      const lines = log.mock.calls.map((c) => String(c[0]));
      const error = lines.find((l) => l.includes("ERROR"));
      expect(error).toContain("misspelt expect");
      expect(error).toContain("steps[0].expcet: unknown key (allowed: op, expect, validators)");
      expect(error).toContain(file);
      expect(lines.at(-1)).toBe("0 passed, 1 failed");
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports an implementation crash as FAIL", () => {
    const v = run([{ op: "crash", expect: "ok" }]);
    expect(v.status).toBe("fail");
    if (v.status === "fail") expect(v.reason).toContain("crashed: oops");
  });
});
