/**
 * A parachain's genesis: its runtime constants, genesis state and header (the head the relay
 * chain registers), and its validation code (the bytes and hash the relay chain stores).
 *
 * Invariants:
 * - Deterministic: the same configuration gives the same genesis head and code hash.
 * - The validation code names the runtime and its constants, so paras whose runtimes differ
 *   (velocity, capacity, slot duration, weights...) have different code hashes, as they would on
 *   chain; `validationCodeHash` = blake2b-256 of the code (`ValidationCode::hash()`).
 *
 * Simplification: the code is a small descriptor, not a Wasm blob (its size does not matter to
 * the pipeline apart from `max_code_size`, which it is far below).
 *
 * Ref: polkadot/runtime/parachains/src/paras/mod.rs (ParaGenesisArgs), cumulus genesis
 *      (head data = encoded genesis header).
 */
import type { Hash } from "../lib/hex.ts";
import type { HeadData, ParaId } from "../primitives/codecs.ts";
import { blockHash, headData, type ParaHeader } from "./block.ts";
import { ParaStateStore } from "./pvf.ts";
import {
  GENESIS_BALANCE,
  genesisHeader,
  genesisState,
  type ParaState,
  type RuntimeConfig,
} from "./runtime.ts";

export interface ParaGenesis {
  readonly paraId: ParaId;
  readonly config: RuntimeConfig;
  readonly state: ParaState;
  readonly header: ParaHeader;
  /** The genesis head data (`ParaGenesisArgs::genesis_head`). */
  readonly headData: HeadData;
  readonly headHash: Hash;
  /** `ParaGenesisArgs::validation_code`. */
  readonly validationCode: Uint8Array;
  readonly validationCodeHash: Hash;
}

export interface GenesisOptions {
  /** Every account's genesis balance (default `GENESIS_BALANCE`). */
  readonly initialBalance?: number;
}

/** The genesis of a para whose runtime has these constants (its para id among them). */
export function createGenesis(config: RuntimeConfig, options: GenesisOptions = {}): ParaGenesis {
  const state = genesisState(config, options.initialBalance ?? GENESIS_BALANCE);
  const header = genesisHeader(state);
  const validationCode = state.code.code;
  return {
    paraId: config.paraId,
    config,
    state,
    header,
    headData: headData(header),
    headHash: blockHash(header),
    validationCode,
    validationCodeHash: state.code.hash,
  };
}

/** A state store holding the genesis state (every para's collators and validators share one). */
export function genesisStore(genesis: ParaGenesis, memoise = true): ParaStateStore {
  const store = new ParaStateStore(memoise);
  store.put(genesis.headHash, genesis.state);
  return store;
}
