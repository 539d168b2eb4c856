import { describe, expect, it } from "vitest";
import { parachainRuntimeConfigFromScenario } from "../../src/config/from-scenario.ts";
import { DEFAULT_ACCOUNTS } from "../../src/config/parachain-runtime.ts";
import { PRESETS } from "../../src/config/presets.ts";
import type { ParachainSpec, RelayNumberCheck } from "../../src/config/scenario.ts";
import { validationCodeOf } from "../../src/parachain/code.ts";

const asyncPara = PRESETS.async.parachains[0]!;
const withRuntime = (runtime: Partial<ParachainSpec["runtime"]>): ParachainSpec => ({
  ...asyncPara,
  runtime: { ...asyncPara.runtime, ...runtime },
});

describe("parachainRuntimeConfigFromScenario", () => {
  it("maps the async preset's parachain to the runtime's constants", () => {
    expect(parachainRuntimeConfigFromScenario(asyncPara)).toEqual({
      paraId: 2000,
      unincludedSegmentCapacity: asyncPara.runtime.unincludedSegmentCapacity,
      blockProcessingVelocity: asyncPara.runtime.blockProcessingVelocity,
      relayParentOffset: 0,
      relayChainSlotDurationMillis: 6000,
      slotDurationMs: asyncPara.runtime.slotDurationMs,
      allowMultipleBlocksPerSlot: asyncPara.runtime.allowMultipleBlocksPerSlot,
      checkAssociatedRelayNumber: "RelayNumberMonotonicallyIncreases",
      consensusHook: "fixed-velocity",
      maximumBlockWeightUs: 2_000_000,
      normalDispatchRatio: 0.75,
      txRefTimeUs: 200,
      txProofBytes: 128,
      accounts: DEFAULT_ACCOUNTS,
    });
  });

  it.each([
    ["strict", "RelayNumberStrictlyIncreases"],
    ["monotonic", "RelayNumberMonotonicallyIncreases"],
    ["any", "AnyRelayNumber"],
  ] as const)("names checkAssociatedRelayNumber %s as %s", (check: RelayNumberCheck, rust) => {
    const config = parachainRuntimeConfigFromScenario(
      withRuntime({ checkAssociatedRelayNumber: check }),
    );
    expect(config.checkAssociatedRelayNumber).toBe(rust);
  });

  it("gives the block weight in whole µs and takes the ledger size", () => {
    const config = parachainRuntimeConfigFromScenario(
      withRuntime({ maximumBlockWeightMs: 0.2504 }),
      4,
    );
    expect(config.maximumBlockWeightUs).toBe(250);
    expect(config.accounts).toBe(4);
  });

  it("keeps the field order the validation code (and so every code hash) is made of", () => {
    const code = new TextDecoder().decode(
      validationCodeOf(parachainRuntimeConfigFromScenario(PRESETS.sync.parachains[0]!)),
    );
    expect(code).toBe(
      'parapipe-parachain-runtime/1 {"paraId":2000,"unincludedSegmentCapacity":1,' +
        '"blockProcessingVelocity":1,"relayParentOffset":0,"relayChainSlotDurationMillis":6000,' +
        '"slotDurationMs":12000,"allowMultipleBlocksPerSlot":false,' +
        '"checkAssociatedRelayNumber":"RelayNumberStrictlyIncreases",' +
        '"consensusHook":"expect-parent-included","maximumBlockWeightUs":500000,"normalDispatchRatio":0.75,' +
        '"txRefTimeUs":200,"txProofBytes":128,"accounts":1024}',
    );
  });
});
