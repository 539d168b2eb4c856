/**
 * Every network in ../shared/zombienet that imports is simulated and judged against what its
 * .zndsl expects (docs/import.md), the checks polled in virtual time as zombienet polls them.
 * 0011 (async backing, 6 s blocks) and 0017 (sync backing, 12 s blocks) must meet their
 * block-height and finalized-height expectations; the heights are read where the protocol puts
 * them. Skipped without ../shared (CI has it).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importNetworkFile } from "../../src/cli/import.ts";
import { resolveScenario, type Scenario } from "../../src/config/scenario.ts";
import { judgeScenario, type Verdict } from "../../src/report/expect.ts";
import { runScenario } from "../../src/report/run.ts";
import { runTimeline } from "../../src/report/timeline.ts";

const SHARED = join(import.meta.dirname, "../../../shared/zombienet");
const HAS_SHARED = existsSync(SHARED);

function imported(name: string, paraPreset?: string): Scenario {
  const { result } = importNetworkFile(
    join(SHARED, `${name}.toml`),
    paraPreset === undefined ? {} : { paraPreset },
  );
  const resolved = resolveScenario(result.scenario);
  if (!resolved.ok) throw new Error(resolved.error.join("; "));
  return resolved.value;
}

function judged(scenario: Scenario): Verdict[] {
  const outcome = runScenario(scenario);
  expect(outcome.report.safety.violations).toEqual([]);
  return judgeScenario(scenario, outcome.report, runTimeline(scenario, outcome.world));
}

const at = (v: Verdict): number => (v.atMs ?? Number.NaN) / 1000;
const ROOT = join(import.meta.dirname, "../..");
const cli = (...args: string[]) =>
  spawnSync("node", [join(ROOT, "bin/parapipe.js"), ...args], { encoding: "utf8", cwd: ROOT });

describe.skipIf(!HAS_SHARED)(
  "zombienet networks run and meet their .zndsl (skipped: ../shared absent)",
  () => {
    it("0011: both paras registered, 10 finalized, para 2000 reaches 30 at 6 s blocks, para 2001 right after", () => {
      const v = judged(imported("0011-async-backing-6-seconds-rate"));
      expect(v.map((x) => [x.check, x.pass])).toEqual([
        ["para 2000 registered within 60 s", true],
        ["para 2001 registered within 60 s", true],
        ["relay finalized height >= 10 within 100 s", true],
        ["para 2000 height >= 30 within 240 s", true],
        ["para 2001 height >= 30 within 6 s", true],
      ]);
      // Finality trails the best block by about one block (approval takes under a slot): block
      // 10 is final once block 11 is produced, at 66 s.
      expect(v[2]!.measured).toBe(10);
      expect(at(v[2]!)).toBeGreaterThanOrEqual(66);
      expect(at(v[2]!)).toBeLessThanOrEqual(72);
      // 30 blocks at one per 6 s relay block: about 6 s x 30 plus the pipeline's first blocks,
      // far inside zombienet's 240 s (8 s blocks).
      expect(at(v[3]!)).toBeGreaterThanOrEqual(180);
      expect(at(v[3]!)).toBeLessThanOrEqual(200);
    }, 60_000);

    it("0017 (sync para preset): 10 finalized, 12 s blocks reach 21 within 300 s and stay below 25", () => {
      const v = judged(imported("0017-sync-backing", "sync"));
      expect(v.map((x) => [x.check, x.pass, x.measured])).toEqual([
        ["para 2000 registered within 60 s", true, null],
        ["para 2001 registered within 60 s", true, null],
        ["relay finalized height >= 10 within 100 s", true, 10],
        ["para 2000 height >= 21 within 300 s", true, 21],
        ["para 2000 height < 25 within 2 s", true, 21],
        ["para 2001 height >= 21 within 10 s", true, 21],
        ["para 2001 height < 25 within 2 s", true, 21],
      ]);
      // One block per 12 s: 21 blocks take about 21 x 12 = 252 s (plus the first block's pipeline).
      expect(at(v[3]!)).toBeGreaterThanOrEqual(250);
      expect(at(v[3]!)).toBeLessThanOrEqual(280);
    }, 60_000);

    it("0017 with the async para preset: still 12 s blocks (the relay chain has no async backing)", () => {
      const v = judged(imported("0017-sync-backing"));
      expect(v.every((x) => x.pass)).toBe(true);
      expect(at(v[3]!)).toBeGreaterThanOrEqual(250);
    }, 60_000);

    it("parapipe run takes the .toml: its checks judged (JSON), exit 1 when one fails", () => {
      const file = join(SHARED, "0017-sync-backing.toml");
      const ok = cli("run", file, "--para-preset", "sync", "--json", "--no-progress");
      expect(ok.status).toBe(0);
      expect(ok.stderr).toMatch(
        /imported as a zombienet network: \d+ keys ignored, 7 checks, 1 \.zndsl lines not checked/,
      );
      const report = JSON.parse(ok.stdout);
      expect(report.expect.map((v: Verdict) => v.pass)).toEqual([
        true,
        true,
        true,
        true,
        true,
        true,
        true,
      ]);
      const failing = cli(
        "run",
        file,
        "--para-preset",
        "sync",
        "--no-progress",
        "--expect",
        "para 2000 height >= 100 within 10 s",
      );
      expect(failing.status).toBe(1);
      expect(failing.stdout).toMatch(
        /FAIL 0017-sync-backing: para 2000 height >= 100 within 10 s \(measured 22 at 280 s\)/,
      );
    }, 60_000);

    const others = HAS_SHARED
      ? readdirSync(SHARED)
          .filter((f) => f.endsWith(".toml"))
          .map((f) => f.replace(/\.toml$/, ""))
          .filter((n) => !/^00(11|17)-/.test(n))
      : [];
    for (const name of others) {
      it(`${name}: imported and run, every check it has met (or refused on import)`, () => {
        let scenario: Scenario;
        try {
          scenario = imported(name);
        } catch (e) {
          // The refusals are pinned with their reasons and lines in zombienet.test.ts.
          expect(String(e)).toMatch(/\.toml:\d+: /);
          return;
        }
        const v = judged(scenario);
        expect(v.filter((x) => !x.pass)).toEqual([]);
      }, 60_000);
    }
  },
);
