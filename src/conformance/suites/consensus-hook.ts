/**
 * Conformance suite `consensus-hook` (FORMAT.md): aura-ext's `FixedVelocityConsensusHook`, newest
 * (relay-slot) generation. State: the stored `RelaySlotInfo`; the unincluded segment (head hashes,
 * oldest first) and the hook's parameters come from `given`. A panicking `onStateProof` leaves
 * the stored `RelaySlotInfo` unchanged (the block is discarded).
 */

import {
  FixedVelocityConsensusHook,
  type FixedVelocityConsensusHookConfig,
  type RelaySlotInfo,
} from "../../parachain/consensus-hook.ts";
import { UnincludedSegmentCapacity } from "../../parachain/parachain-system.ts";
import type { Reader } from "../json.ts";
import { describe, VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";

function readRelaySlotInfo(r: Reader, key: string): RelaySlotInfo | null {
  const v = r.raw(key);
  if (v === null || v === undefined) return null;
  const pair = r.nums(key);
  if (pair.length !== 2) {
    throw new VectorError(`${r.at(key)}: expected [slot, authored], got ${describe(v)}`);
  }
  return [pair[0]!, pair[1]!];
}

export const consensusHookSuite: Suite = {
  name: "consensus-hook",
  givenKeys: [
    "relaySlotDurationMs",
    "paraSlotDurationMs",
    "velocity",
    "capacity",
    "unincludedSegment",
    "relaySlotInfo",
  ],
  ops: {
    onStateProof: ["paraSlot", "relaySlot"],
    setRelaySlotInfo: ["relaySlotInfo"],
    canBuildUpon: ["includedHash", "relaySlot"],
  },
  init(given) {
    const config: FixedVelocityConsensusHookConfig = {
      relayChainSlotDurationMillis: given.num("relaySlotDurationMs"),
      paraSlotDurationMs: given.num("paraSlotDurationMs"),
      velocity: given.num("velocity"),
      capacity: given.num("capacity"),
    };
    if (config.paraSlotDurationMs === 0) given.fail("paraSlotDurationMs", "a positive duration");
    const segment = (given.has("unincludedSegment") ? given.hexes("unincludedSegment") : []).map(
      (paraHeadHash) => ({ paraHeadHash }),
    );
    let relaySlotInfo = readRelaySlotInfo(given, "relaySlotInfo");

    return (op, step) => {
      switch (op) {
        case "onStateProof": {
          const r = FixedVelocityConsensusHook.onStateProof(
            config,
            relaySlotInfo,
            step.num("paraSlot"),
            step.num("relaySlot"),
          );
          relaySlotInfo = r.relaySlotInfo;
          return okOutcome({
            capacity: UnincludedSegmentCapacity.get(r.capacity),
            relaySlotInfo: r.relaySlotInfo,
          });
        }
        case "setRelaySlotInfo":
          relaySlotInfo = readRelaySlotInfo(step, "relaySlotInfo");
          return okOutcome();
        case "canBuildUpon":
          return okOutcome(
            FixedVelocityConsensusHook.canBuildUpon(
              config,
              relaySlotInfo,
              segment,
              step.hash("includedHash"),
              step.num("relaySlot"),
            ),
          );
      }
      throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite "consensus-hook"`);
    };
  },
};
