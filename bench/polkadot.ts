/**
 * The Polkadot-sized scenario of the benchmark: NUMBERS.md's production parameters (Polkadot
 * column) on 600 validators and 120 cores, 100 single-core paras (ids 2000..2099) with
 * async-backing lookahead collators (the `async` preset's parachain), groups of 5.
 *
 * The load is stated, not hidden: `txRefTimeUs` and `txProofBytes` per transaction, either with
 * saturated pools (`txPerBlock` 0: a 2 s block holds 2,000,000 / txRefTimeUs transactions; 200 µs:
 * 10,000 per block; 20,000 µs: 100) or arriving at `txPerBlock` per 6 s relay block (issue 20's
 * default: 100 transactions of 5 ms and 1 KiB, so 100 KiB PoVs and 0.5 s of execution).
 */
import { resolveScenario, type Scenario } from "../src/config/scenario.ts";

export const POLKADOT_PARAS = 100;

export interface PolkadotOptions {
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly crypto: Scenario["crypto"];
  readonly txRefTimeUs: number;
  /** Transactions per 6 s relay block, or 0 for saturated pools. */
  readonly txPerBlock: number;
  readonly txProofBytes: number;
  readonly seed?: number;
}

export function polkadotScenario(o: PolkadotOptions): Scenario {
  const r = resolveScenario({
    name: "polkadot-600v-120c",
    preset: "async",
    seed: o.seed ?? 1,
    relayBlocks: o.relayBlocks,
    warmupRelayBlocks: o.warmupRelayBlocks,
    crypto: o.crypto,
    relay: {
      validators: 600,
      hostConfiguration: {
        asyncBackingParams: { maxCandidateDepth: 3, allowedAncestryLen: 2 },
        schedulerParams: {
          lookahead: 3,
          numCores: 120,
          maxValidatorsPerCore: 5,
          groupRotationFrequency: 10,
          parasAvailabilityPeriod: 10,
        },
        minimumBackingVotes: 2,
        neededApprovals: 30,
        relayVrfModuloSamples: 6,
        nDelayTranches: 89,
        zerothDelayTrancheWidth: 0,
        noShowSlots: 2,
        maxPovSize: 10 * 1024 * 1024,
        executorParams: { pvfExecTimeoutBackingMs: 2500, pvfExecTimeoutApprovalMs: 15000 },
      },
    },
    parachains: Array.from({ length: POLKADOT_PARAS }, (_, i) => ({
      id: 2000 + i,
      cores: 1,
      load:
        o.txPerBlock === 0
          ? { saturate: true, txRefTimeUs: o.txRefTimeUs, txProofBytes: o.txProofBytes }
          : {
              saturate: false,
              txPerSecond: o.txPerBlock / 6,
              txRefTimeUs: o.txRefTimeUs,
              txProofBytes: o.txProofBytes,
            },
    })),
  });
  if (!r.ok) throw new Error(`polkadot scenario: ${r.error.join("; ")}`);
  return r.value;
}
