/**
 * The relay chain's genesis: block 0 with session 0 set up, the paras registered, bulk coretime
 * assigned and the claim queue filled, so block 1 can already back candidates with relay parent 0.
 *
 * What it does, in the order of the genesis build and `initializer::on_genesis_session`:
 * 1. the configuration must pass `checkConsistency` (callers refuse bad scenarios first, with the
 *    Rust variant's name, see `config/from-scenario.ts`; reaching here inconsistent is a bug);
 * 2. paras registered as parachains (`ParaGenesisArgs`: head, code, most recent context 0);
 * 3. bulk coretime: each para gets its cores for the whole run (`coretime.paraByCore`);
 * 4. session 0: the active validators are the given keys IN INDEX ORDER (no shuffle: Polkadot
 *    shuffles them with the session's randomness, parapipe keeps validator i at index i so a
 *    scenario reads the same in logs), at most `maxValidators`; the scheduler splits them into
 *    `max(numCores, n / maxValidatorsPerCore)` contiguous groups, fills every core's claim queue
 *    (`lookahead` deep, first assignment twice when lookahead > 1) and starts the session at
 *    block 1 (`SessionStartBlock = now + 1`);
 * 5. the block-0 header (parent hash zero, the given slot, modelled roots: `header.ts`).
 *
 * Later sessions: a block may carry a session change (`session-change.ts`, the scenario's
 * `session-change` fault): the same validators, still in index order, with the groups reshuffled.
 * The validator set and the configuration never change after genesis.
 *
 * Ref: polkadot/runtime/parachains/src/initializer.rs (on_genesis_session, apply_new_session),
 *      paras/mod.rs (genesis build, initialize_para_now), scheduler.rs (initializer_on_new_session),
 *      shared.rs (initializer_on_new_session), assigner_coretime/mod.rs.
 */
import { checkConsistency, type HostConfiguration } from "../config/host-configuration.ts";
import { assert } from "../lib/assert.ts";
import { type Hex, toHex, ZERO_HASH } from "../lib/hex.ts";
import type { CoreIndex, HeadData, ParaId } from "../primitives/codecs.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { makeRelayHeader, relayExtrinsicsRoot, relayStateRoot } from "./header.ts";
import { registerPara } from "./paras.ts";
import { schedulerOnNewSession } from "./scheduler.ts";
import { sharedOnNewSession } from "./shared.ts";
import { assignmentProvider, newRelayState, type RelayState } from "./state.ts";

export interface GenesisPara {
  readonly id: ParaId;
  readonly genesisHead: HeadData;
  readonly validationCode: Uint8Array;
  /** The cores this para holds bulk coretime on (each core at most one para, `< numCores`). */
  readonly cores: readonly CoreIndex[];
}

export interface GenesisSpec {
  readonly config: HostConfiguration;
  /** The session's validator public keys (`ValidatorId`), by validator index. */
  readonly validatorKeys: readonly (Hex | Uint8Array)[];
  readonly paras: readonly GenesisPara[];
  /** The BABE slot of block 0 (default 0). */
  readonly slot?: number;
}

export interface Genesis {
  readonly state: RelayState;
  readonly header: RelayHeader;
}

export function genesis(spec: GenesisSpec): Genesis {
  const config = spec.config;
  const consistent = checkConsistency(config);
  assert(
    consistent.ok,
    () => `genesis configuration is inconsistent: ${JSON.stringify(consistent)}`,
  );
  const state = newRelayState(config);
  state.now = 0;

  const paraByCore = state.coretime.paraByCore;
  for (const para of spec.paras) {
    assert(!state.paras.heads.has(para.id), () => `para ${para.id} registered twice`);
    registerPara(state.paras, para.id, para.genesisHead, para.validationCode);
    for (const core of para.cores) {
      assert(
        Number.isInteger(core) && core >= 0 && core < config.schedulerParams.numCores,
        () =>
          `para ${para.id}: core ${core} is not one of the ${config.schedulerParams.numCores} cores`,
      );
      const holder = paraByCore.get(core);
      assert(holder === undefined, () => `core ${core} assigned to both ${holder} and ${para.id}`);
      paraByCore.set(core, para.id);
    }
  }

  const keys = spec.validatorKeys.map((k) => (typeof k === "string" ? k : toHex(k)));
  const identity = keys.map((_, i) => i);
  const active = sharedOnNewSession(state.shared, 0, keys, identity, config.maxValidators);
  schedulerOnNewSession(
    state.scheduler,
    active.length,
    config,
    config,
    state.now,
    assignmentProvider(state),
  );

  const slot = spec.slot ?? 0;
  const header = makeRelayHeader({
    number: 0,
    parentHash: ZERO_HASH,
    stateRoot: relayStateRoot(state, ZERO_HASH, slot),
    extrinsicsRoot: relayExtrinsicsRoot([], []),
    slot,
  });
  return { state, header };
}
