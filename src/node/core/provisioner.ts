/**
 * The provisioner: what this validator puts in the parachains inherent of a relay block it
 * authors.
 *
 * Bitfields: the signed availability bitfields bitfield distribution handed over for an active
 * leaf (`ProvisionableData::Bitfield`, signatures checked), the latest one per validator. At
 * authoring time (`select_availability_bitfields`) a
 * bitfield is dropped if its length is not the number of cores or if it sets a bit for a core that
 * is not occupied; per validator the one with more ones is kept; the result is in validator order
 * (the runtime wants them strictly ascending).
 *
 * Candidates (`request_backable_candidates`, prospective parachains enabled), for the block
 * `number(parent) + 1`, over the parent's `availability_cores()`:
 * - `Scheduled(p)`: one free core for p;
 * - `Occupied(oc)`: its availability = the bitfields' column for the core OR-ed with
 *   `oc.availability`, available iff `3 * ones >= 2 * n_validators` (the node's rule, not the
 *   runtime's `> 2/3`): then `oc.candidate_hash` is an ancestor of its para and, with
 *   `next_up_on_available`, the core is free for that para; else if `time_out_at > block number`
 *   it is an ancestor (still pending); else (timed out) it is NOT an ancestor (G2's
 *   `GetBackableCandidates` contract: "timed out ancestors should not be included", so the
 *   fragment chain's ancestor path stops at it and no candidate built on it is offered; the
 *   runtime times it out in this very block) and, with `next_up_on_time_out`, the core is free;
 * - per para with free cores: `GetBackableCandidates(parent, para, count = #free cores,
 *   ancestors)`, then candidate backing builds the `BackedCandidate`s (stopping at the first not
 *   attested); the inherent lists them per para in chain order, paras in ascending id order;
 *   only the first candidate carrying new validation code is kept (the rest of that para's chain
 *   is dropped with it, since it builds on it).
 *
 * For the world's checkers, `lastDecision` records what was judged (available cores and
 * candidates, timed-out ones, free cores per para, what was asked for and what was put in).
 *
 * Ref: polkadot/node/core/provisioner/src/lib.rs (select_availability_bitfields,
 *      request_backable_candidates as of PR #3233 through the 2024-25 releases: the timed-out
 *      branch records no ancestor), polkadot/node/subsystem-types/src/messages.rs at 2ef2723
 *      (`GetBackableCandidates`: "Timed out ancestors should not be included in the
 *      collection"), select_candidates, bitfields_indicate_availability,
 *      get_block_number_under_construction).
 */

import type { ActorLog, ValidatorEnv } from "../../actors/env.ts";
import { assertNever } from "../../lib/assert.ts";
import type { Hash } from "../../lib/hex.ts";
import { getOrInsertComputed } from "../../lib/memo.ts";
import type {
  BlockNumber,
  CandidateHash,
  CoreIndex,
  ParaId,
  ValidatorIndex,
} from "../../primitives/codecs.ts";
import type {
  BackedCandidate,
  ParachainsInherentData,
  SignedAvailabilityBitfield,
} from "../../primitives/inherent.ts";
import type { CoreState, RelayHeader } from "../../primitives/runtime-api.ts";
import { bitfieldsIndicateAvailability } from "../../primitives/thresholds.ts";
import type {
  BackableCandidate,
  CandidateBackingMessage,
  ProspectiveParachainsMessage,
  ProvisionerMessage,
} from "../subsystem-types.ts";
import type { ImplicitView } from "../util/backing-implicit-view.ts";
import type { BlockContexts } from "../util/block-context.ts";

/** What the provisioner judged when it built an inherent (for checkers and reports). */
export interface ProvisionerDecision {
  readonly parent: Hash;
  readonly blockNumber: BlockNumber;
  readonly bitfieldCount: number;
  /** Occupied cores (and their candidates) the bitfields make available. */
  readonly availableCores: readonly CoreIndex[];
  readonly availableCandidates: readonly CandidateHash[];
  /** Occupied cores neither available nor within their timeout. */
  readonly timedOutCandidates: readonly CandidateHash[];
  /** Free cores per para (Scheduled, or freed by availability / timeout). */
  readonly freeCores: ReadonlyMap<ParaId, number>;
  /** What prospective parachains returned per para. */
  readonly requested: ReadonlyMap<ParaId, readonly BackableCandidate[]>;
  /** The candidates put in the inherent, in order. */
  readonly backed: readonly CandidateHash[];
  /** Candidates dropped by the one-code-upgrade rule. */
  readonly droppedForCodeUpgrade: readonly CandidateHash[];
}

/** `bitfields_indicate_availability`: the core's column OR-ed with the on-chain votes. */
export function bitfieldsIndicateCoreAvailability(
  coreIndex: CoreIndex,
  bitfields: readonly SignedAvailabilityBitfield[],
  availability: readonly boolean[],
): boolean {
  const votes = [...availability];
  for (const bf of bitfields) {
    if (bf.validatorIndex >= votes.length) return false;
    if (bf.payload[coreIndex] === true) votes[bf.validatorIndex] = true;
  }
  let ones = 0;
  for (const v of votes) if (v) ones++;
  return bitfieldsIndicateAvailability(ones, votes.length);
}

/** `select_availability_bitfields`: at most one valid bitfield per validator, in order. */
export function selectAvailabilityBitfields(
  cores: readonly CoreState[],
  bitfields: Iterable<SignedAvailabilityBitfield>,
): SignedAvailabilityBitfield[] {
  const selected = new Map<ValidatorIndex, SignedAvailabilityBitfield>();
  const ones = (b: SignedAvailabilityBitfield) => b.payload.filter((x) => x).length;
  outer: for (const bf of bitfields) {
    if (bf.payload.length !== cores.length) continue;
    const prev = selected.get(bf.validatorIndex);
    if (prev !== undefined && ones(prev) >= ones(bf)) continue;
    for (let i = 0; i < cores.length; i++) {
      if (cores[i]!.kind !== "Occupied" && bf.payload[i] === true) continue outer;
    }
    selected.set(bf.validatorIndex, bf);
  }
  return [...selected.values()].sort((a, b) => a.validatorIndex - b.validatorIndex);
}

export class Provisioner implements ProvisionerMessage {
  private readonly bitfields = new Map<Hash, Map<ValidatorIndex, SignedAvailabilityBitfield>>();
  private last: ProvisionerDecision | null = null;

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly view: ImplicitView,
    private readonly prospective: ProspectiveParachainsMessage,
    private readonly backing: Pick<CandidateBackingMessage, "getBackableCandidates">,
    private readonly contexts: BlockContexts,
  ) {}

  /** Forgets the bitfields of relay blocks that are no longer active leaves. */
  activeLeavesUpdate(): void {
    for (const leaf of [...this.bitfields.keys()]) {
      if (!this.view.isActiveLeaf(leaf)) this.bitfields.delete(leaf);
    }
  }

  /** `ProvisionableData::Bitfield`: a bitfield for an active leaf, signature checked. */
  noteBitfield(relayParent: Hash, bitfield: SignedAvailabilityBitfield): void {
    getOrInsertComputed(this.bitfields, relayParent, () => new Map()).set(
      bitfield.validatorIndex,
      bitfield,
    );
  }

  /** The bitfields held for a relay parent (inspection). */
  bitfieldsFor(relayParent: Hash): readonly SignedAvailabilityBitfield[] {
    return [...(this.bitfields.get(relayParent)?.values() ?? [])];
  }

  /** What the last `provideInherentData` decided. */
  get lastDecision(): ProvisionerDecision | null {
    return this.last;
  }

  /** The parachains inherent of the child of `parent`, which this validator authors. */
  provideInherentData(parent: RelayHeader): ParachainsInherentData {
    const api = this.env.relayChain.api(parent.hash);
    if (api === null) {
      this.log.warn("No runtime API at the parent: empty inherent", { parent: parent.hash });
      return { bitfields: [], backedCandidates: [], disputes: [] };
    }
    const ctx = this.contexts.of(api);
    const cores = ctx.availabilityCores;
    const bitfields = selectAvailabilityBitfields(
      cores,
      this.bitfields.get(parent.hash)?.values() ?? [],
    );
    const blockNumber = parent.number + 1;

    const freeCores = new Map<ParaId, number>();
    const ancestors = new Map<ParaId, Set<CandidateHash>>();
    const availableCores: CoreIndex[] = [];
    const availableCandidates: CandidateHash[] = [];
    const timedOutCandidates: CandidateHash[] = [];
    const free = (para: ParaId) => freeCores.set(para, (freeCores.get(para) ?? 0) + 1);
    const ancestor = (para: ParaId, hash: CandidateHash) =>
      getOrInsertComputed(ancestors, para, () => new Set()).add(hash);
    cores.forEach((core, i) => {
      switch (core.kind) {
        case "Scheduled":
          free(core.paraId);
          return;
        case "Occupied": {
          const para = core.candidateDescriptor.paraId;
          if (bitfieldsIndicateCoreAvailability(i, bitfields, core.availability)) {
            availableCores.push(i);
            availableCandidates.push(core.candidateHash);
            ancestor(para, core.candidateHash);
            if (core.nextUpOnAvailable !== null) free(core.nextUpOnAvailable);
          } else if (core.timeOutAt > blockNumber) {
            ancestor(para, core.candidateHash);
          } else {
            // Timed out: not an ancestor (see the header); its descendants' cores are free.
            timedOutCandidates.push(core.candidateHash);
            if (core.nextUpOnTimeOut !== null) free(core.nextUpOnTimeOut);
          }
          return;
        }
        case "Free":
          return;
        default:
          assertNever(core, "core state");
      }
    });

    const requested = new Map<ParaId, BackableCandidate[]>();
    for (const para of [...freeCores.keys()].sort((a, b) => a - b)) {
      const response = this.prospective.getBackableCandidates(
        parent.hash,
        para,
        freeCores.get(para)!,
        ancestors.get(para) ?? new Set(),
      );
      if (response.length === 0) {
        if (this.log.enabled("debug")) {
          this.log.debug("No backable candidate returned by prospective parachains", {
            leaf: parent.hash,
            paraId: para,
          });
        }
        continue;
      }
      requested.set(para, response);
    }

    const backedByPara = this.backing.getBackableCandidates(requested);
    const backedCandidates: BackedCandidate[] = [];
    const backed: CandidateHash[] = [];
    const droppedForCodeUpgrade: CandidateHash[] = [];
    let withValidationCode = false;
    for (const para of [...backedByPara.keys()].sort((a, b) => a - b)) {
      const list = backedByPara.get(para)!;
      const hashes = requested.get(para) ?? [];
      for (const [i, candidate] of list.entries()) {
        const hash = hashes[i]!.candidateHash;
        if (candidate.candidate.commitments.newValidationCode !== null) {
          if (withValidationCode) {
            for (let j = i; j < list.length; j++)
              droppedForCodeUpgrade.push(hashes[j]!.candidateHash);
            break;
          }
          withValidationCode = true;
        }
        backedCandidates.push(candidate);
        backed.push(hash);
      }
    }

    this.last = {
      parent: parent.hash,
      blockNumber,
      bitfieldCount: bitfields.length,
      availableCores,
      availableCandidates,
      timedOutCandidates,
      freeCores,
      requested,
      backed,
      droppedForCodeUpgrade,
    };
    if (this.log.enabled("debug")) {
      this.log.debug("Selected backed candidates", {
        parent: parent.hash,
        bitfields: bitfields.length,
        candidates: backed.length,
        cores: cores.length,
      });
    }
    return { bitfields, backedCandidates, disputes: [] };
  }
}
