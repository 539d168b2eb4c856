/**
 * Runtime upgrades through the relay chain's path (issue 17, item 1): the para's `set_code`
 * (parachain-system `schedule_code_upgrade`), the relay's scheduling on inclusion
 * (`expected_at = max(included_at + validation_upgrade_delay, now + minimum_validation_upgrade_delay)`),
 * the go-ahead at the first relay block at or after `expected_at`, the para block that applies it,
 * and the new runtime's constants from the block after. The scenario's host configuration has
 * validationUpgradeDelay 2, minimumValidationUpgradeDelay 12, validationUpgradeCooldown 20.
 */
import { describe, expect, it } from "vitest";
import type { AuthoredBlockRecord } from "../../src/sim/records.ts";
import { run } from "./helpers.ts";

/** The authored blocks of para 2000 on the included chain, by number. */
function includedChain(o: ReturnType<typeof run>) {
  const heads = new Set(
    o.world.events.filter((e) => e.type === "CandidateIncluded").map((e) => e.headHash),
  );
  return [...o.world.blocks.values()]
    .filter((b) => heads.has(b.headHash))
    .sort((a, b) => a.number - b.number);
}

const relayNumberOf = (o: ReturnType<typeof run>, b: AuthoredBlockRecord) =>
  o.world.chain.header(b.relayParent)!.number;

const inclusionBlocks = (o: ReturnType<typeof run>) =>
  o.world.events.filter((e) => e.type === "CandidateIncluded").map((e) => e.relayBlock);

describe("a runtime upgrade: unincluded segment capacity 1 -> 3 on an async relay chain", () => {
  const o = run({
    preset: "async",
    crypto: "none",
    parachains: [{ id: 2000, runtime: { unincludedSegmentCapacity: 1 } }],
    upgrades: [{ at: 25, runtime: { unincludedSegmentCapacity: 3 } }],
  });
  const chain = includedChain(o);
  const stored = chain.find((b) => b.setCode === "ValidationFunctionStored")!;
  const applied = chain.find((b) => b.codeEvent === "ValidationFunctionApplied")!;

  it("is scheduled by the first block built once the upgrade is due, and applied at expected_at", () => {
    expect(relayNumberOf(o, stored)).toBeGreaterThanOrEqual(25);
    const includedAt = o.world.events.find(
      (e) => e.type === "CandidateIncluded" && e.headHash === stored.headHash,
    )!.relayBlock;
    const expectedAt = Math.max(includedAt + 2, includedAt + 12);
    // The first block whose relay parent carries the go-ahead (state of block >= expected_at).
    expect(relayNumberOf(o, applied)).toBe(expectedAt);
    // Between them no block applies or stores anything (the upgrade is in flight).
    const between = chain.filter((b) => b.number > stored.number && b.number < applied.number);
    expect(between.every((b) => b.setCode === null && b.codeEvent === null)).toBe(true);
  });

  it("runs the new constants from the block after the one that applied it: 12 s blocks become 6 s", () => {
    const blocks = inclusionBlocks(o);
    const appliedIncludedAt = o.world.events.find(
      (e) => e.type === "CandidateIncluded" && e.headHash === applied.headHash,
    )!.relayBlock;
    const before = blocks.filter((n) => n <= appliedIncludedAt);
    const after = blocks.filter((n) => n > appliedIncludedAt + 2);
    // Capacity 1: one block per two relay blocks; capacity 3: one per relay block.
    const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);
    expect(new Set(gaps(before.slice(-5)))).toEqual(new Set([2]));
    expect(new Set(gaps(after))).toEqual(new Set([1]));
    expect(o.report.safety.violations).toEqual([]);
    expect(o.report.safety.runtimePanics).toEqual([]);
  });
});

describe("a second upgrade during the first one's cooldown", () => {
  it("is refused by the para (ProhibitedByPolkadot) until the relay chain lifts the restriction", () => {
    const o = run({
      preset: "async",
      crypto: "none",
      upgrades: [
        { at: 10, runtime: { maximumBlockWeightMs: 1900 } },
        { at: 12, runtime: { maximumBlockWeightMs: 1800 } },
      ],
    });
    const chain = includedChain(o);
    const outcomes = chain.filter((b) => b.setCode !== null).map((b) => b.setCode);
    // The first is stored once due (relay block 10); the second, due at 12, is refused while the
    // first is pending (OverlappingUpgrades) and while the relay chain's restriction holds
    // (ProhibitedByPolkadot), then stored in turn: both runtimes are applied, in order.
    expect(outcomes[0]).toBe("ValidationFunctionStored");
    expect(outcomes).toContain("OverlappingUpgrades");
    expect(outcomes).toContain("ProhibitedByPolkadot");
    expect(outcomes.filter((x) => x === "ValidationFunctionStored")).toHaveLength(2);
    expect(chain.filter((b) => b.codeEvent === "ValidationFunctionApplied").length).toBe(2);
    expect(o.report.safety.violations).toEqual([]);
  });
});
