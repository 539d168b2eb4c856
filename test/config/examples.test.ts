import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenarioText, resolveScenario } from "../../src/config/scenario.ts";

const DIR = join(import.meta.dirname, "../../examples");

describe("example scenarios", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
  it("exist", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  for (const f of files) {
    it(`${f} is a valid scenario`, () => {
      const parsed = parseScenarioText(readFileSync(join(DIR, f), "utf8"));
      expect(parsed.ok).toBe(true);
      const r = resolveScenario(parsed.ok ? parsed.value : null);
      expect(r.ok ? [] : r.error).toEqual([]);
    });
  }
});
