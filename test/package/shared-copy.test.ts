/**
 * The repository stands alone: what its tests and docs need from `../shared` (the scenario
 * contract, the semantics, the numbers, the conformance format and vectors) is copied into it.
 * When `../shared` sits beside the repository, this test checks the copies still equal their
 * originals, file for file, and lists every file that differs, is missing or is extra. Without
 * `../shared` (a clone on its own, an installed package) it is skipped, and says so.
 *
 * Not copied on purpose: `../shared/zombienet` (its README asks for it to stay there; tests that
 * use it skip without `../shared`) and the seeds and style notes, which nothing here reads.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const SHARED = join(ROOT, "../shared");

/** Each copy: its original under `../shared` and where it sits in the repository. */
const COPIES: readonly { readonly from: string; readonly to: string }[] = [
  { from: "spec/SCENARIO.md", to: "spec/SCENARIO.md" },
  { from: "spec/SEMANTICS.md", to: "spec/SEMANTICS.md" },
  { from: "spec/NUMBERS.md", to: "spec/NUMBERS.md" },
  { from: "conformance", to: "conformance/shared" }, // FORMAT.md and vectors/, layout kept
];

/** The files under `path` (itself if a file), relative to it, `/`-separated, sorted. */
function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [""];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(path, f)).isFile())
    .map((f) => f.split("\\").join("/"))
    .sort();
}

/** Every difference between the originals and the copies, one line each. */
function differences(): string[] {
  const out: string[] = [];
  for (const { from, to } of COPIES) {
    const original = join(SHARED, from);
    const copy = join(ROOT, to);
    const originals = filesUnder(original);
    const copies = new Set(filesUnder(copy));
    if (originals.length === 0) out.push(`../shared/${from}: not found`);
    for (const f of originals) {
      const a = f === "" ? original : join(original, f);
      const b = f === "" ? copy : join(copy, f);
      const name = relative(ROOT, b);
      if (!copies.has(f)) out.push(`${name}: missing (../shared/${relative(SHARED, a)} has it)`);
      else if (!readFileSync(a).equals(readFileSync(b))) {
        out.push(`${name}: differs from ../shared/${relative(SHARED, a)}`);
      }
      copies.delete(f);
    }
    for (const f of copies) out.push(`${relative(ROOT, join(copy, f))}: not in ../shared/${from}`);
  }
  return out;
}

const hasShared = existsSync(SHARED);
if (!hasShared) {
  console.log(`test/package/shared-copy: skipped, no ../shared beside ${ROOT}`);
}

describe("the copies of ../shared", () => {
  it.skipIf(!hasShared)(
    hasShared
      ? "equal their originals (spec/*.md, conformance/shared/)"
      : "skipped: ../shared is not beside the repository, nothing to compare against",
    () => {
      const diff = differences();
      // Refresh: cp ../shared/spec/{SCENARIO,SEMANTICS,NUMBERS}.md spec/ &&
      //   rm -r conformance/shared && cp -r ../shared/conformance conformance/shared
      expect(diff, `copies out of date:\n  ${diff.join("\n  ")}`).toEqual([]);
    },
  );

  it("are where the tests, scripts and help texts look for them", () => {
    for (const { to } of COPIES) expect(existsSync(join(ROOT, to)), to).toBe(true);
    expect(filesUnder(join(ROOT, "conformance/shared/vectors")).length).toBeGreaterThan(100);
  });
});
