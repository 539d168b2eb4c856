/**
 * The paras pallet, reduced to what inclusion touches: heads, the most recent context, the
 * validation-code hashes and the code-upgrade signals.
 *
 * Each Rust storage map is one Map here (a para need not appear in all of them, as on chain).
 * Code upgrades follow the `SetGoAheadSignal` strategy (the one inclusion uses) with one
 * simplification: the PVF pre-check vote is taken to accept the code at once (as Rust does for
 * code it already knows; unknown code goes to a validators' vote), so the upgrade is scheduled in
 * the block of the candidate's inclusion:
 * `expected_at = max(included_at + validation_upgrade_delay, now + minimum_validation_upgrade_delay)`,
 * queued in `UpcomingUpgrades`; the go-ahead signal is set at the initialisation of the first relay
 * block at or after `expected_at` (`process_scheduled_upgrade_changes`), and the upgrade
 * restriction lifted at the finalisation of `included_at + validation_upgrade_cooldown`
 * (`process_scheduled_upgrade_cooldowns`). Past-code bookkeeping (`note_past_code`, pruning) is not
 * modelled.
 *
 * Invariants: `futureCodeHash[p]` is set iff an upgrade of p is in progress;
 * `futureCodeUpgrades[p]` implies `futureCodeHash[p]`.
 *
 * Ref: polkadot/runtime/parachains/src/paras/mod.rs (note_new_head, schedule_code_upgrade,
 *      proceed_with_upgrade, can_upgrade_validation_code, is_offboarding,
 *      process_scheduled_upgrade_changes, process_scheduled_upgrade_cooldowns; the 2024-25 code
 *      read on a fork of polkadot-sdk, opentensor/polkadot-sdk at 0942da80, against the stored
 *      2023 polkadot-sdk copy: the same logic).
 */

import type { HostConfiguration } from "../config/host-configuration.ts";
import type { Hash } from "../lib/hex.ts";
import type { BlockNumber, HeadData, ParaId } from "../primitives/codecs.ts";
import { hashBytes } from "../primitives/hashing.ts";

export type ParaLifecycle =
  | "Onboarding"
  | "Parathread"
  | "Parachain"
  | "UpgradingParathread"
  | "DowngradingParachain"
  | "OffboardingParathread"
  | "OffboardingParachain";

export type UpgradeGoAhead = "Abort" | "GoAhead";
export type UpgradeRestriction = "Present";

export interface ParasState {
  paraLifecycles: Map<ParaId, ParaLifecycle>;
  /** `Heads`: the latest included head of each para. */
  heads: Map<ParaId, HeadData>;
  /** `MostRecentContext`: relay-parent number of the last included candidate. */
  mostRecentContext: Map<ParaId, BlockNumber>;
  currentCodeHash: Map<ParaId, Hash>;
  futureCodeHash: Map<ParaId, Hash>;
  /** `FutureCodeUpgrades`: the relay-parent number from which the new code applies. */
  futureCodeUpgrades: Map<ParaId, BlockNumber>;
  upgradeGoAheadSignal: Map<ParaId, UpgradeGoAhead>;
  upgradeRestrictionSignal: Map<ParaId, UpgradeRestriction>;
  /** `UpgradeCooldowns`: `(para, block)` sorted ascending by block. */
  upgradeCooldowns: [ParaId, BlockNumber][];
  /** `UpcomingUpgrades`: `(para, expected_at)` sorted ascending by block, awaiting their go-ahead. */
  upcomingUpgrades: [ParaId, BlockNumber][];
  codeByHash: Map<Hash, Uint8Array>;
}

export function newParasState(): ParasState {
  return {
    paraLifecycles: new Map(),
    heads: new Map(),
    mostRecentContext: new Map(),
    currentCodeHash: new Map(),
    futureCodeHash: new Map(),
    futureCodeUpgrades: new Map(),
    upgradeGoAheadSignal: new Map(),
    upgradeRestrictionSignal: new Map(),
    upgradeCooldowns: [],
    upcomingUpgrades: [],
    codeByHash: new Map(),
  };
}

/** `ValidationCode::hash()`: blake2-256 of the raw code. */
export function validationCodeHash(code: Uint8Array): Hash {
  return hashBytes(code);
}

/**
 * Genesis registration of a para (`ParaGenesisArgs`, `initialize_para_now`): lifecycle, head,
 * code, and a most recent context of 0.
 */
export function registerPara(
  paras: ParasState,
  id: ParaId,
  genesisHead: HeadData,
  validationCode: Uint8Array,
  lifecycle: ParaLifecycle = "Parachain",
): void {
  const codeHash = validationCodeHash(validationCode);
  paras.paraLifecycles.set(id, lifecycle);
  paras.heads.set(id, genesisHead);
  paras.mostRecentContext.set(id, 0);
  paras.currentCodeHash.set(id, codeHash);
  paras.codeByHash.set(codeHash, validationCode);
}

export function isOffboarding(paras: ParasState, id: ParaId): boolean {
  const l = paras.paraLifecycles.get(id);
  return l === "OffboardingParathread" || l === "OffboardingParachain";
}

/** `can_upgrade_validation_code`: no upgrade in progress and no restriction signal. */
export function canUpgradeValidationCode(paras: ParasState, id: ParaId): boolean {
  return !paras.futureCodeHash.has(id) && !paras.upgradeRestrictionSignal.has(id);
}

/**
 * `note_new_head`: set the head and `MostRecentContext`; apply a scheduled upgrade whose
 * `expected_at <= executionContext` (the candidate's relay-parent number), else clear a stale
 * go-ahead signal (an `Abort` is reset once a head without a pending upgrade is noted).
 */
export function noteNewHead(
  paras: ParasState,
  id: ParaId,
  newHead: HeadData,
  executionContext: BlockNumber,
): void {
  paras.heads.set(id, newHead);
  paras.mostRecentContext.set(id, executionContext);
  const expectedAt = paras.futureCodeUpgrades.get(id);
  if (expectedAt === undefined) {
    paras.upgradeGoAheadSignal.delete(id);
    return;
  }
  if (expectedAt > executionContext) return;
  paras.futureCodeUpgrades.delete(id);
  paras.upgradeGoAheadSignal.delete(id);
  const newCodeHash = paras.futureCodeHash.get(id);
  // Rust logs "Missing future code hash" and returns: the head stays noted.
  if (newCodeHash === undefined) return;
  paras.futureCodeHash.delete(id);
  paras.currentCodeHash.set(id, newCodeHash);
}

/**
 * `proceed_with_upgrade`'s `expected_at`: the relay block from which a code upgrade included at
 * `includedAt` and accepted at `acceptedAt` applies.
 */
export function upgradeExpectedAt(
  includedAt: BlockNumber,
  acceptedAt: BlockNumber,
  config: Pick<HostConfiguration, "validationUpgradeDelay" | "minimumValidationUpgradeDelay">,
): BlockNumber {
  return Math.max(
    includedAt + config.validationUpgradeDelay,
    acceptedAt + config.minimumValidationUpgradeDelay,
  );
}

/** The minimum code size `schedule_code_upgrade` accepts (`MIN_CODE_SIZE`). */
export const MIN_CODE_SIZE = 9;

/**
 * `schedule_code_upgrade` with `UpgradeStrategy::SetGoAheadSignal`, at the block `now` in which
 * the signalling candidate is included (`included_at = now`). No-ops as in Rust: code size out of
 * bounds, an upgrade already in progress, or the same code as the current one.
 */
export function scheduleCodeUpgrade(
  paras: ParasState,
  id: ParaId,
  newCode: Uint8Array,
  includedAt: BlockNumber,
  config: HostConfiguration,
  now: BlockNumber = includedAt,
): void {
  if (newCode.length < MIN_CODE_SIZE || newCode.length > config.maxCodeSize) return;
  if (paras.futureCodeHash.has(id)) return;
  const codeHash = validationCodeHash(newCode);
  if (paras.currentCodeHash.get(id) === codeHash) return;

  paras.upgradeRestrictionSignal.set(id, "Present");
  const nextPossibleUpgradeAt = includedAt + config.validationUpgradeCooldown;
  sortedInsert(paras.upgradeCooldowns, id, nextPossibleUpgradeAt);

  paras.codeByHash.set(codeHash, newCode);
  paras.futureCodeHash.set(id, codeHash);

  // PVF pre-check accepted at once (see header): `proceed_with_upgrade`.
  const expectedAt = upgradeExpectedAt(includedAt, now, config);
  paras.futureCodeUpgrades.set(id, expectedAt);
  sortedInsert(paras.upcomingUpgrades, id, expectedAt);
}

/**
 * `binary_search_by_key(...).unwrap_or_else(|idx| idx)` then `insert`: after the entries with a
 * smaller block, before the first equal-or-larger one.
 */
function sortedInsert(list: [ParaId, BlockNumber][], id: ParaId, at: BlockNumber): void {
  let insertAt = list.findIndex(([, b]) => b >= at);
  if (insertAt === -1) insertAt = list.length;
  list.splice(insertAt, 0, [id, at]);
}

/**
 * `process_scheduled_upgrade_changes` (block initialisation): the upgrades due by `now` get their
 * go-ahead signal, which the para reads in the relay-parent state.
 */
export function processScheduledUpgradeChanges(paras: ParasState, now: BlockNumber): void {
  const due = paras.upcomingUpgrades.filter(([, at]) => at <= now);
  if (due.length === 0) return;
  paras.upcomingUpgrades = paras.upcomingUpgrades.slice(due.length);
  for (const [para] of due) paras.upgradeGoAheadSignal.set(para, "GoAhead");
}

/** `process_scheduled_upgrade_cooldowns` (block finalisation): lift expired restrictions. */
export function processScheduledUpgradeCooldowns(paras: ParasState, now: BlockNumber): void {
  paras.upgradeCooldowns = paras.upgradeCooldowns.filter(([para, at]) => {
    if (at <= now) {
      paras.upgradeRestrictionSignal.delete(para);
      return false;
    }
    return true;
  });
}
