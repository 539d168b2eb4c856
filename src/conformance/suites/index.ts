/** The registry of conformance suites: one module per suite of FORMAT.md. */
import type { Suite } from "../suite.ts";
import { candidateStorageSuite } from "./candidate-storage.ts";
import { codecSuite } from "./codec.ts";
import { consensusHookSuite } from "./consensus-hook.ts";
import { coreSelectionSuite } from "./core-selection.ts";
import { fragmentChainSuite } from "./fragment-chain.ts";
import { inclusionSuite } from "./inclusion.ts";
import { inclusionEmulatorSuite } from "./inclusion-emulator.ts";
import { relayParentsTrackerSuite } from "./relay-parents-tracker.ts";
import { runtimeMathSuite } from "./runtime-math.ts";
import { slotTimerSuite } from "./slot-timer.ts";
import { unincludedSegmentSuite } from "./unincluded-segment.ts";

const ALL: readonly Suite[] = [
  codecSuite,
  coreSelectionSuite,
  inclusionEmulatorSuite,
  candidateStorageSuite,
  fragmentChainSuite,
  unincludedSegmentSuite,
  consensusHookSuite,
  relayParentsTrackerSuite,
  slotTimerSuite,
  runtimeMathSuite,
  inclusionSuite,
];

export const SUITES: ReadonlyMap<string, Suite> = new Map(ALL.map((s) => [s.name, s]));
