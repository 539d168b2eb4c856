/**
 * The relay runtime's state as one plain-data object: the configuration in force, the block being
 * executed, every pallet's storage used by the inclusion pipeline, and the block's events.
 *
 * State style: the functions of `src/relay` mutate the parts they own in place; `applyBlock`
 * runs a block on a deep copy of the pre-state, so the pre-state is never touched. Nothing
 * here holds functions or class instances, so the clone is exact.
 *
 * Invariant: `now` is the number of the block being executed (Rust's `frame_system::block_number`).
 *
 * Coretime is modelled as bulk coretime only: each core serves one para for the whole run
 * (`coretime.paraByCore`, what `assigner_coretime`'s `CoreDescriptors` hold for a region covering
 * the run); `assignmentProvider(state)` reads it.
 *
 * Ref: the pallets of polkadot/runtime/parachains/src (configuration, shared, paras, dmp, hrmp,
 *      inclusion, scheduler, assigner_coretime) and frame_system's block number / events.
 */
import { HostConfiguration } from "../config/host-configuration.ts";
import type { BlockNumber, CoreIndex, ParaId } from "../primitives/codecs.ts";
import { type DmpState, newDmpState } from "./dmp.ts";
import { type HrmpState, newHrmpState } from "./hrmp.ts";
import { type InclusionEvent, type InclusionState, newInclusionState } from "./inclusion.ts";
import { newParasState, type ParasState } from "./paras.ts";
import {
  type AssignmentProvider,
  bulkAssignmentProvider,
  newSchedulerState,
  type SchedulerState,
} from "./scheduler.ts";
import { newSharedState, type SharedState } from "./shared.ts";
import { newUmpState, type UmpState } from "./ump.ts";

/** Bulk coretime: the para each core is assigned to (cores without one get no assignments). */
export interface CoretimeState {
  paraByCore: Map<CoreIndex, ParaId>;
}

/** Events deposited by the relay runtime during a block. */
export type RelayEvent = InclusionEvent;

export interface RelayState {
  /** The block being executed. */
  now: BlockNumber;
  /** `ActiveConfig`. */
  config: HostConfiguration;
  shared: SharedState;
  paras: ParasState;
  dmp: DmpState;
  ump: UmpState;
  hrmp: HrmpState;
  scheduler: SchedulerState;
  inclusion: InclusionState;
  coretime: CoretimeState;
  /** The events of the block being executed, in deposit order. */
  events: RelayEvent[];
}

export function newRelayState(config: HostConfiguration = HostConfiguration.default()): RelayState {
  return {
    now: 0,
    config,
    shared: newSharedState(),
    paras: newParasState(),
    dmp: newDmpState(),
    ump: newUmpState(),
    hrmp: newHrmpState(),
    scheduler: newSchedulerState(),
    inclusion: newInclusionState(),
    coretime: { paraByCore: new Map() },
    events: [],
  };
}

/** The scheduler's assignment provider over the state's coretime assignments. */
export function assignmentProvider(state: RelayState): AssignmentProvider {
  return bulkAssignmentProvider(state.coretime.paraByCore);
}
