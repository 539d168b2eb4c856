/**
 * The trace commits to every protocol decision the safety checkers read (src/sim/
 * relay-block-trace.ts): a relay block that carries one vote fewer, one availability bit more,
 * a candidate dropped for another reason, or another provisioner offer has another trace entry,
 * hence another trace hash. Tampered copies of real blocks of a small run, one field at a time.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RelayBlockRecord } from "../../src/sim/records.ts";
import { relayBlockTraceDetail } from "../../src/sim/relay-block-trace.ts";
import { canonicalJson } from "../../src/sim/trace.ts";
import { World } from "../../src/sim/world.ts";
import { scenario } from "./helpers.ts";

let blocks: readonly RelayBlockRecord[];

beforeAll(() => {
  const world = new World(
    scenario({
      preset: "async",
      relayBlocks: 8,
      warmupRelayBlocks: 2,
      crypto: "none",
    }),
    { keepHistory: true },
  );
  world.run();
  blocks = world.relayBlocks;
}, 60_000);

const encode = (b: RelayBlockRecord): string => canonicalJson(relayBlockTraceDetail(b));

/** The first block that carries a backed candidate and a bitfield with a set bit. */
function busyBlock(): RelayBlockRecord {
  const b = blocks.find(
    (x) =>
      x.accepted.backedCandidates.length > 0 &&
      x.accepted.bitfields.some((f) => f.payload.some((bit) => bit)),
  );
  if (b === undefined) throw new Error("no block with a backed candidate and a set bit");
  return b;
}

describe("the relay block's trace entry", () => {
  it("differs between the blocks of a run", () => {
    expect(new Set(blocks.map(encode)).size).toBe(blocks.length);
  });

  it("changes when a backed candidate carries one vote fewer", () => {
    const b = busyBlock();
    const [first, ...rest] = b.accepted.backedCandidates;
    const at = first!.validatorIndices.indexOf(true);
    const fewer = first!.validatorIndices.map((v, i) => (i === at ? false : v));
    const tampered = {
      ...b,
      accepted: {
        ...b.accepted,
        backedCandidates: [
          { ...first!, validatorIndices: fewer, validityVotes: first!.validityVotes.slice(1) },
          ...rest,
        ],
      },
    };
    expect(encode(tampered)).not.toBe(encode(b));
  });

  it("changes when a bitfield carries one bit more or less", () => {
    const b = busyBlock();
    const i = b.accepted.bitfields.findIndex((f) => f.payload.some((bit) => bit));
    const f = b.accepted.bitfields[i]!;
    const flipped = { ...f, payload: f.payload.map((bit, k) => (k === 0 ? !bit : bit)) };
    const bitfields = b.accepted.bitfields.map((x, k) => (k === i ? flipped : x));
    expect(encode({ ...b, accepted: { ...b.accepted, bitfields } })).not.toBe(encode(b));
  });

  it("changes with a dropped candidate, its reason, and the provisioner's offer", () => {
    const b = busyBlock();
    const backedEvent = b.events.find((e) => e.kind === "CandidateBacked");
    if (backedEvent === undefined || backedEvent.kind !== "CandidateBacked") {
      throw new Error("the block backs nothing");
    }
    const drop: RelayBlockRecord["dropped"][number] = {
      candidateHash: backedEvent.candidateHash,
      paraId: backedEvent.paraId,
      stage: "cores",
      reason: { code: "ParaNotScheduled" },
    } as RelayBlockRecord["dropped"][number];
    const dropped = encode({ ...b, dropped: [drop] });
    expect(dropped).not.toBe(encode(b));
    const otherStage = encode({ ...b, dropped: [{ ...drop, stage: "backing" }] });
    expect(otherStage).not.toBe(dropped);
    const offered = { ...b.offered, backedCandidates: [] };
    expect(encode({ ...b, offered })).not.toBe(encode(b));
    expect(b.decision).not.toBeNull();
    const decision = { ...b.decision!, timedOutCandidates: [backedEvent.candidateHash] };
    expect(encode({ ...b, decision })).not.toBe(encode(b));
  });
});
