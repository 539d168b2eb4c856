/**
 * The Polkadot-sized scenario of the benchmark: NUMBERS.md's production parameters (Polkadot
 * column) on 600 validators and 120 cores, 100 single-core paras (ids 2000..2099) with
 * async-backing lookahead collators (the `async` preset's parachain), groups of 5.
 *
 * The same network at other sizes (`npm run bench -- --only scaling`, bench/scaling.ts):
 * `validators` and `paras` (ids 2000.., one core each) and the relay chain's `cores`
 * (`schedulerParams.numCores`, default `polkadotCores`: one per group of 5, and at least one per
 * para). Everything else stays. The defaults give the scenario above unchanged (same name, same
 * trace), so its figures stay comparable.
 *
 * The load is stated, not hidden: `txRefTimeUs` and `txProofBytes` per transaction, either with
 * saturated pools (`txPerBlock` 0: a 2 s block holds 2,000,000 / txRefTimeUs transactions; 200 µs:
 * 10,000 per block; 20,000 µs: 100) or arriving at `txPerBlock` per 6 s relay block (issue 20's
 * default: 100 transactions of 5 ms and 1 KiB, so 100 KiB PoVs and 0.5 s of execution).
 */
import { resolveScenario, type Scenario } from "../src/config/scenario.ts";

export const POLKADOT_VALIDATORS = 600;
export const POLKADOT_PARAS = 100;
/** `schedulerParams.maxValidatorsPerCore`: the group size polkadot-sdk aims at. */
export const POLKADOT_GROUP_SIZE = 5;

/**
 * The relay chain's cores for `validators` and `paras`: one per group of 5, and at least one per
 * para (120 at 600 validators and 100 paras, as the Polkadot-sized row has). polkadot-sdk makes
 * `max(numCores, validators / maxValidatorsPerCore)` groups, one availability core each, and
 * draws approval assignments modulo that count (`session_info`'s `n_cores`; the simulator's
 * runtime API answers the same, src/relay/runtime-api.ts `approvalParams`):
 * `relayVrfModuloSamples` (6) x 5 = 30 tranche-0 checkers per candidate, `neededApprovals`, at
 * every size. With fewer than 5 validators per para (300 validators, 100 paras) there are `paras`
 * cores and polkadot-sdk's rule makes as many groups, smaller than 5 (3 there).
 */
export function polkadotCores(validators: number, paras: number): number {
  return Math.max(paras, Math.floor(validators / POLKADOT_GROUP_SIZE));
}

export interface PolkadotOptions {
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly crypto: Scenario["crypto"];
  readonly txRefTimeUs: number;
  /** Transactions per 6 s relay block, or 0 for saturated pools. */
  readonly txPerBlock: number;
  readonly txProofBytes: number;
  readonly seed?: number;
  /** Active validators (default 600). */
  readonly validators?: number;
  /** Single-core paras, ids 2000.. (default 100). */
  readonly paras?: number;
  /** `schedulerParams.numCores` (default `polkadotCores(validators, paras)`). */
  readonly cores?: number;
}

export function polkadotScenario(o: PolkadotOptions): Scenario {
  const validators = o.validators ?? POLKADOT_VALIDATORS;
  const paras = o.paras ?? POLKADOT_PARAS;
  const cores = o.cores ?? polkadotCores(validators, paras);
  const r = resolveScenario({
    // "polkadot-600v-120c" for the defaults, as before; the paras named when they are not 100.
    name: `polkadot-${validators}v-${cores}c${paras === POLKADOT_PARAS ? "" : `-${paras}p`}`,
    preset: "async",
    seed: o.seed ?? 1,
    relayBlocks: o.relayBlocks,
    warmupRelayBlocks: o.warmupRelayBlocks,
    crypto: o.crypto,
    relay: {
      validators,
      hostConfiguration: {
        asyncBackingParams: { maxCandidateDepth: 3, allowedAncestryLen: 2 },
        schedulerParams: {
          lookahead: 3,
          numCores: cores,
          maxValidatorsPerCore: POLKADOT_GROUP_SIZE,
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
    parachains: Array.from({ length: paras }, (_, i) => ({
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
  if (!r.ok) throw new Error(`polkadot scenario ${validators}x${paras}: ${r.error.join("; ")}`);
  return r.value;
}
