/**
 * Test helpers for the parachain runtime: specs from the presets, a relay-chain state snapshot
 * for a relay block number, and a block builder that runs the runtime directly (no collator).
 */

import { parachainRuntimeConfigFromScenario } from "../../src/config/from-scenario.ts";
import { PRESETS } from "../../src/config/presets.ts";
import type { ParachainSpec } from "../../src/config/scenario.ts";
import { type Hash, type Hex, toHex } from "../../src/lib/hex.ts";
import type { CoreInfo, ParaBlock, ParachainInherentData } from "../../src/parachain/block.ts";
import {
  type GenesisOptions,
  createGenesis as genesisOf,
  type ParaGenesis,
} from "../../src/parachain/genesis.ts";
import type { Transfer } from "../../src/parachain/ledger.ts";
import { BlockExecution, type ExecutedBlock, type ParaState } from "../../src/parachain/runtime.ts";
import { hashBytes } from "../../src/primitives/hashing.ts";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The preset's parachain with overrides (runtime and load merged key by key). */
export function paraSpec(
  preset: "sync" | "async" | "elastic-3" | "elastic-12",
  overrides: DeepPartial<ParachainSpec> = {},
): ParachainSpec {
  const base = PRESETS[preset].parachains[0]!;
  return {
    ...base,
    ...overrides,
    collator: { ...base.collator, ...overrides.collator } as ParachainSpec["collator"],
    runtime: { ...base.runtime, ...overrides.runtime } as ParachainSpec["runtime"],
    load: { ...base.load, ...overrides.load } as ParachainSpec["load"],
  };
}

const utf8 = new TextEncoder();
export const relayHash = (n: number): Hash => hashBytes(utf8.encode(`relay/${n}`));
export const relayRoot = (n: number): Hash => hashBytes(utf8.encode(`relay-root/${n}`));

/** A chain position: the block's post-state, hash and head data. */
export interface Tip {
  readonly state: ParaState;
  readonly hash: Hash;
  readonly head: Hex;
}

export function genesisTip(genesis: ParaGenesis): Tip {
  return { state: genesis.state, hash: genesis.headHash, head: genesis.headData };
}

export interface BlockParams {
  /** Relay parent number (its slot is the same number unless `relaySlot`). */
  readonly relay: number;
  readonly relaySlot?: number;
  /** Para slot; default: derived as the collator would (relay slot x 6000 / para slot). */
  readonly auraSlot?: number;
  /** The head the relay chain has included (default: the parent's head). */
  readonly includedHead?: Hex | null;
  readonly transfers?: readonly Transfer[];
  readonly coreInfo?: CoreInfo | null;
  readonly timestampMs?: number;
}

export function inherentFor(
  tip: Tip,
  p: BlockParams,
  maxPovSize = 10 * 1024 * 1024,
): ParachainInherentData {
  return {
    validationData: {
      parentHead: tip.head,
      relayParentNumber: p.relay,
      relayParentStorageRoot: relayRoot(p.relay),
      maxPovSize,
    },
    relayChainState: {
      relayParent: relayHash(p.relay),
      stateRoot: relayRoot(p.relay),
      currentSlot: p.relaySlot ?? p.relay,
      includedParaHead: p.includedHead === undefined ? tip.head : p.includedHead,
      relayDispatchQueueRemainingCapacity: { remainingCount: 100, remainingSize: 100_000 },
      maxUpwardMessageNumPerCandidate: 10,
      upgradeGoAhead: null,
      upgradeRestriction: null,
    },
  };
}

/** Build a block on `tip` with the runtime (throws `RuntimePanic` like the runtime). */
export function buildOn(
  genesis: ParaGenesis,
  tip: Tip,
  p: BlockParams,
): { readonly block: ParaBlock; readonly executed: ExecutedBlock; readonly tip: Tip } {
  const config = genesis.config;
  const relaySlot = p.relaySlot ?? p.relay;
  const auraSlot = p.auraSlot ?? Math.floor((relaySlot * 6000) / config.slotDurationMs);
  const inherent = inherentFor(tip, p);
  const exec = BlockExecution.begin(tip.state, {
    parentHash: tip.hash,
    number: tip.state.number + 1,
    auraSlot,
    coreInfo: p.coreInfo ?? null,
    inherent,
    timestampMs: p.timestampMs ?? auraSlot * config.slotDurationMs,
    setCode: null,
  });
  for (const t of p.transfers ?? []) exec.applyTransfer(t.from, t.to, t.amount, t.nonce);
  const executed = exec.finish();
  const block: ParaBlock = {
    header: executed.header,
    inherent,
    timestampMs: p.timestampMs ?? auraSlot * config.slotDurationMs,
    transfers: executed.transfers,
    poolCursor: 0,
  };
  return {
    block,
    executed,
    tip: { state: executed.state, hash: executed.headHash, head: executed.headData },
  };
}

/** The genesis of a spec's parachain (its runtime configuration as the world maps it). */
export function createGenesis(
  spec: ParachainSpec,
  options: GenesisOptions & { readonly accounts?: number } = {},
): ParaGenesis {
  return genesisOf(parachainRuntimeConfigFromScenario(spec, options.accounts), options);
}

export { toHex };
