/**
 * The current-generation fragment-chain vectors of `conformance/current/` (README there): each
 * passes as written, and the ones pinning the chain-length bound (SEMANTICS.md §7 C1) fail when
 * run under the 2024 generation, so they do test the generation's rule.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runVector } from "../../src/conformance/runner.ts";
import { SUITES } from "../../src/conformance/suites/index.ts";

const DIR = join(import.meta.dirname, "../../conformance/current/fragment-chain");
const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
const load = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(DIR, f), "utf8"));

/** The vectors whose result differs between the generations' bounds. */
const BOUND_SENSITIVE = ["FCC02", "FCC03", "FCC04", "FCC11", "FCC12"];

describe("current-generation fragment-chain vectors", () => {
  it("has the vectors", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)("%s passes and names the current generation", (f) => {
    const v = load(f);
    expect(v.generation).toBe("current");
    expect(runVector(v, SUITES, f)).toMatchObject({ status: "pass" });
  });

  it.each(files)("%s under 2024 fails exactly when it pins the bound", (f) => {
    const verdict = runVector({ ...load(f), generation: "2024" }, SUITES, f);
    const sensitive = BOUND_SENSITIVE.some((p) => f.startsWith(p));
    expect(verdict.status).toBe(sensitive ? "fail" : "pass");
  });
});
