import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuntimePanic } from "../../src/lib/assert.ts";
import { repeatByte } from "../../src/lib/hex.ts";
import { Slot } from "../../src/parachain/aura.ts";
import {
  FixedVelocityConsensusHook,
  type FixedVelocityConsensusHookConfig,
  type RelaySlotInfo,
} from "../../src/parachain/consensus-hook.ts";
import { UnincludedSegmentCapacity } from "../../src/parachain/parachain-system.ts";

const DEFAULT_TEST_VELOCITY = 2;

/** aura-ext test.rs `Hook = FixedVelocityConsensusHook<Test, RELAY_MS, V, C>`. */
const hook = (
  relayMs: number,
  velocity: number,
  capacity: number,
  paraMs = 6000,
): FixedVelocityConsensusHookConfig => ({
  relayChainSlotDurationMillis: relayMs,
  paraSlotDurationMs: paraMs,
  velocity,
  capacity,
});

/** test.rs `set_ancestors`: three ancestors with head hashes 0x01.., 0x02.., 0x03... */
const SEGMENT = [1, 2, 3].map((b) => ({ paraHeadHash: repeatByte(b) }));

/** Runs `on_state_proof` repeatedly against a stored RelaySlotInfo, like the Rust externalities. */
function runner(config: FixedVelocityConsensusHookConfig, paraSlot: number) {
  let info: RelaySlotInfo | null = null;
  const state = { paraSlot };
  return {
    state,
    proof(relaySlot: number) {
      const r = FixedVelocityConsensusHook.onStateProof(config, info, state.paraSlot, relaySlot);
      info = r.relaySlotInfo;
      return UnincludedSegmentCapacity.get(r.capacity);
    },
    info: () => info,
  };
}

describe("aura-ext test.rs (FixedVelocityConsensusHook)", () => {
  it("test_velocity", () => {
    const t = runner(hook(6000, DEFAULT_TEST_VELOCITY, 1), 10);
    expect(t.proof(10)).toBe(1);
    expect(t.info()).toEqual([10, 1]);
    expect(t.proof(10)).toBe(1);
    expect(t.info()).toEqual([10, 2]);
  });

  it("test_velocity_2", () => {
    const t = runner(hook(6000, DEFAULT_TEST_VELOCITY, 3), 10);
    expect(t.proof(10)).toBe(3);
    expect(t.info()).toEqual([10, 1]);
    expect(t.proof(10)).toBe(3);
    expect(t.info()).toEqual([10, 2]);
  });

  it("test_exceeding_velocity_limit", () => {
    const t = runner(hook(6000, DEFAULT_TEST_VELOCITY, 1), 10);
    for (let authored = 0; authored <= DEFAULT_TEST_VELOCITY; authored++) {
      t.proof(10);
      expect(t.info()).toEqual([10, authored + 1]);
    }
    expect(() => t.proof(10)).toThrow(
      new RuntimePanic(
        "authored blocks limit is reached for the slot: relay_chain_slot=Slot(10), authored=3, velocity=2",
      ),
    );
    expect(t.info()).toEqual([10, 3]); // the panicking block changed nothing
  });

  it("test_para_slot_calculated_from_slot_duration", () => {
    const t = runner(hook(3000, DEFAULT_TEST_VELOCITY, 1), 5);
    expect(() => t.proof(10)).not.toThrow();
  });

  it("test_para_slot_calculated_from_slot_duration_2", () => {
    const t = runner(hook(3000, DEFAULT_TEST_VELOCITY, 1), 8);
    expect(() => t.proof(10)).toThrow(
      "Parachain slot must match relay-derived slot: parachain_slot=Slot(8), derived_from_relay_slot=Slot(5) velocity=2",
    );
  });

  // test_para_slot_too_high: (para slot duration, para slot, relay slot, expected panic or null)
  const tooHigh: [number, number, number, string | null][] = [
    [2000, 30, 10, null],
    [6000, 10, 10, null],
    [24000, 1, 7, null],
    [24000, 2, 7, "parachain_slot=Slot(2), derived_from_relay_slot=Slot(1)"],
    [24000, 2, 8, null],
    [24000, 2, 9, null],
    [24000, 2, 10, null],
    [24000, 2, 11, null],
    [24000, 2, 12, "parachain_slot=Slot(2), derived_from_relay_slot=Slot(3)"],
    [24000, 3, 12, null],
    [2000, 31, 10, "parachain_slot=Slot(31), derived_from_relay_slot=Slot(30)"],
    [2000, 32, 10, "parachain_slot=Slot(32), derived_from_relay_slot=Slot(30)"],
    [2000, 29, 10, "parachain_slot=Slot(29), derived_from_relay_slot=Slot(30)"],
    [2000, 1, 10, "parachain_slot=Slot(1), derived_from_relay_slot=Slot(30)"],
    [6000, 1, 10, "parachain_slot=Slot(1), derived_from_relay_slot=Slot(10)"],
    [6000, 9, 10, "parachain_slot=Slot(9), derived_from_relay_slot=Slot(10)"],
    [6000, 11, 10, "parachain_slot=Slot(11), derived_from_relay_slot=Slot(10)"],
  ];
  it.each(tooHigh)(
    "test_para_slot_too_high(%i ms, para %i, relay %i)",
    (paraMs, para, relay, msg) => {
      const t = runner(hook(6000, DEFAULT_TEST_VELOCITY, 1, paraMs), para);
      if (msg === null) expect(() => t.proof(relay)).not.toThrow();
      else expect(() => t.proof(relay)).toThrow(`must match relay-derived slot: ${msg}`);
    },
  );

  it("test_velocity_at_least_one", () => {
    const t = runner(hook(6000, 0, 1), 10);
    t.proof(10);
    t.proof(10); // velocity max(0, 1) = 1 admits two blocks per relay slot
    expect(() => t.proof(10)).toThrow("authored blocks limit is reached for the slot");
  });

  it("test_velocity_resets_on_new_relay_slot", () => {
    const t = runner(hook(6000, DEFAULT_TEST_VELOCITY, 1), 10);
    for (let authored = 0; authored <= DEFAULT_TEST_VELOCITY; authored++) {
      t.proof(10);
      expect(t.info()).toEqual([10, authored + 1]);
    }
    t.state.paraSlot = 11;
    for (let authored = 0; authored <= DEFAULT_TEST_VELOCITY; authored++) {
      t.proof(11);
      expect(t.info()).toEqual([11, authored + 1]);
    }
  });

  it("test_backward_relay_slot_not_tolerated", () => {
    const t = runner(hook(6000, 2, 1), 10);
    t.proof(10);
    expect(t.info()).toEqual([10, 1]);
    t.state.paraSlot = 9;
    expect(() => t.proof(9)).toThrow(
      new RuntimePanic("Slot moved backwards: stored_slot=Slot(10), relay_chain_slot=Slot(9)"),
    );
  });

  it("capacity is max(C, 1)", () => {
    const t = runner(hook(6000, 1, 0), 10);
    expect(t.proof(10)).toBe(1);
  });

  it("test_can_build_upon_true_when_empty", () => {
    expect(
      FixedVelocityConsensusHook.canBuildUpon(
        hook(6000, DEFAULT_TEST_VELOCITY, 1),
        null,
        SEGMENT,
        repeatByte(1),
        1,
      ),
    ).toBe(true);
  });

  // test_can_build_upon_slot_can_not_decrease: (state relay slot, test relay slot, authored, expected)
  const slotCases: [string, number, number, number, boolean][] = [
    ["slot_higher_ok", 10, 11, DEFAULT_TEST_VELOCITY, true],
    ["slot_same_ok", 10, 10, DEFAULT_TEST_VELOCITY, true],
    ["slot_decrease_illegal", 10, 9, DEFAULT_TEST_VELOCITY, false],
    ["velocity_small_ok", 10, 10, DEFAULT_TEST_VELOCITY - 1, true],
    ["velocity_small_ok", 10, 10, DEFAULT_TEST_VELOCITY - 2, true],
    ["velocity_too_high_illegal", 10, 10, DEFAULT_TEST_VELOCITY + 1, false],
  ];
  it.each(slotCases)(
    "test_can_build_upon_slot_can_not_decrease::%s",
    (_n, s, test, a, expected) => {
      expect(
        FixedVelocityConsensusHook.canBuildUpon(
          hook(6000, DEFAULT_TEST_VELOCITY, 10),
          [s, a],
          SEGMENT,
          repeatByte(1),
          test,
        ),
      ).toBe(expected);
    },
  );

  it("test_can_build_upon_unincluded_segment_size", () => {
    const config = hook(6000, DEFAULT_TEST_VELOCITY, 2);
    const info: RelaySlotInfo = [10, DEFAULT_TEST_VELOCITY];
    // Size after included is two: cannot build.
    expect(FixedVelocityConsensusHook.canBuildUpon(config, info, SEGMENT, repeatByte(1), 10)).toBe(
      false,
    );
    // Size after included is one: can build.
    expect(FixedVelocityConsensusHook.canBuildUpon(config, info, SEGMENT, repeatByte(2), 10)).toBe(
      true,
    );
  });
});

describe("FixedVelocityConsensusHook properties", () => {
  it("at most max(V, 1) + 1 blocks pass per relay slot, and can_build_upon agrees", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 30 }),
        (velocity, steps) => {
          const config = hook(6000, velocity, 100);
          let info: RelaySlotInfo | null = null;
          let relaySlot = 1;
          const perSlot = new Map<number, number>();
          for (const step of steps) {
            relaySlot += step; // relay slots never go backwards here
            const predicted = FixedVelocityConsensusHook.canBuildUpon(
              config,
              info,
              [],
              repeatByte(0),
              relaySlot,
            );
            let accepted = true;
            try {
              info = FixedVelocityConsensusHook.onStateProof(
                config,
                info,
                relaySlot,
                relaySlot,
              ).relaySlotInfo;
            } catch (e) {
              if (!(e instanceof RuntimePanic)) throw e;
              accepted = false;
            }
            expect(accepted).toBe(predicted);
            if (accepted) perSlot.set(relaySlot, (perSlot.get(relaySlot) ?? 0) + 1);
          }
          for (const n of perSlot.values())
            expect(n).toBeLessThanOrEqual(Math.max(velocity, 1) + 1);
          return true;
        },
      ),
    );
  });
});

describe("Aura slot arithmetic", () => {
  it("Slot::from_timestamp is floor division", () => {
    expect(Slot.fromTimestamp(59_999, 6000)).toBe(9);
    expect(Slot.fromTimestamp(60_000, 6000)).toBe(10);
    expect(Slot.fromRelaySlot(10, 3000, 6000)).toBe(5);
    expect(Slot.fromRelaySlot(7, 6000, 24000)).toBe(1);
    expect(Slot.timestamp(5, 6000)).toBe(30_000);
    expect(() => Slot.fromTimestamp(1, 0)).toThrow("slot duration");
  });
});
