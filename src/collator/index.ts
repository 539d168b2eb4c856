/**
 * The collator side's entry points for the world: `createParachain` (a para's runtime
 * configuration from its scenario entry, genesis, shared state store, transaction pool and PVF,
 * once per para) and `createCollator` (one collator actor of the kind the scenario names).
 *
 * Invariant: every collator of a para and the para's PVF share ONE `Parachain` value (the state
 * store is the storage-witness model, the pool the transaction-gossip model).
 *
 * Ref: polkadot-omni-node / parachain templates (service.rs: which collator `start_consensus`
 *      runs), SCENARIO.md (`parachains[].collator.kind`).
 */

import type { CollatorEnv } from "../actors/env.ts";
import { parachainRuntimeConfigFromScenario } from "../config/from-scenario.ts";
import type { ParachainSpec } from "../config/scenario.ts";
import { assertNever } from "../lib/assert.ts";
import type { Prng } from "../lib/prng.ts";
import { createGenesis, type GenesisOptions, genesisStore } from "../parachain/genesis.ts";
import { createPvf, type Pvf } from "../parachain/pvf.ts";
import { BasicCollator } from "./basic.ts";
import type { CollatorBase, CollatorOptions, Parachain } from "./collator.ts";
import { TxPool } from "./load.ts";
import { LookaheadCollator } from "./lookahead.ts";
import { SlotBasedCollator } from "./slot-based.ts";

export { decodeHeadData } from "../parachain/block.ts";
export type { CollatorOptions, Parachain, RuntimePanicInfo } from "./collator.ts";

/** A para's shared parts and its PVF. */
export interface ParachainSetup extends Parachain {
  /** The para's validation function (register it under `genesis.validationCodeHash`). */
  readonly pvf: Pvf;
}

export interface ParachainSetupOptions extends GenesisOptions {
  /** Accounts of the ledger (default `DEFAULT_ACCOUNTS`). */
  readonly accounts?: number;
}

/** A para's genesis, state store, transaction pool (seeded from `rng`) and PVF. */
export function createParachain(
  spec: ParachainSpec,
  rng: Prng,
  options: ParachainSetupOptions = {},
): ParachainSetup {
  const genesis = createGenesis(
    parachainRuntimeConfigFromScenario(spec, options.accounts),
    options,
  );
  const store = genesisStore(genesis);
  const pool = new TxPool(spec.load, genesis.config.accounts, rng.fork("load"));
  return { spec, genesis, store, pool, pvf: createPvf(store, genesis.config) };
}

/** One collator of `para`, of the kind `spec.collator.kind`. */
export function createCollator(
  env: CollatorEnv,
  spec: ParachainSpec,
  para: Parachain,
  options: CollatorOptions = {},
): CollatorBase {
  const kind = spec.collator.kind;
  switch (kind) {
    case "basic":
      return new BasicCollator(env, spec, para, options);
    case "lookahead":
      return new LookaheadCollator(env, spec, para, options);
    case "slot-based":
      return new SlotBasedCollator(env, spec, para, options);
    default:
      return assertNever(kind, "collator kind");
  }
}
