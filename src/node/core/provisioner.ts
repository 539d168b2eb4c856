/**
 * The provisioner (and the receiving side of bitfield distribution): what this validator puts in
 * the parachains inherent of a relay block it authors.
 *
 * Bitfields: signed availability bitfields received for an active leaf (signature checked, CPU
 * charged on the `bitfield-distribution` pool), the latest one per validator. With the
 * simulator's lazily materialised gossip, the bitfields of the parent are materialised when this
 * validator authors, with the same checks and CPU cost (`materialiseBitfields`). At authoring time (`select_availability_bitfields`) a
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
 *   it is an ancestor (still pending); else (timed out) it is an ancestor and, with
 *   `next_up_on_time_out`, the core is free;
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
 *      request_backable_candidates, select_candidates, bitfields_indicate_availability,
 *      get_block_number_under_construction), polkadot/node/network/bitfield-distribution.
 */

import type { ActorLog, ValidatorEnv } from "../../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../../actors/protocol.ts";
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
import { bitfieldSigningPayload } from "../../primitives/statements.ts";
import { bitfieldsIndicateAvailability } from "../../primitives/thresholds.ts";
import type { ImplicitView } from "../util/backing-implicit-view.ts";
import { BlockContext } from "../util/block-context.ts";
import type { SignatureChecks } from "../util/signature-checks.ts";
import type { CandidateBacking } from "./backing/backing.ts";
import type { BackableCandidate } from "./prospective-parachains/fragment-chain.ts";
import type { ProspectiveParachains } from "./prospective-parachains/subsystem.ts";

const payloadMemo = new WeakMap<
  readonly boolean[],
  { readonly parent: Hash; readonly payload: Uint8Array }
>();

/** The signing payload of received bits at `ctx`, memoised per bits object. */
function bitfieldPayload(bits: readonly boolean[], ctx: BlockContext): Uint8Array {
  const memo = payloadMemo.get(bits);
  if (memo !== undefined && memo.parent === ctx.hash) return memo.payload;
  const payload = bitfieldSigningPayload(bits, ctx.signingContext);
  payloadMemo.set(bits, { parent: ctx.hash, payload });
  return payload;
}

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

export class Provisioner {
  private readonly bitfields = new Map<Hash, Map<ValidatorIndex, SignedAvailabilityBitfield>>();
  /** When each active leaf became one (for lazily materialised bitfields). */
  private readonly activatedAtUs = new Map<Hash, number>();
  private last: ProvisionerDecision | null = null;

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly view: ImplicitView,
    private readonly prospective: ProspectiveParachains,
    private readonly backing: CandidateBacking,
    private readonly signatures: SignatureChecks,
  ) {}

  /**
   * Forgets the bitfields of relay blocks that are no longer active leaves; notes when `activated`
   * became one (lazily materialised gossip keeps only the bitfields delivered after that).
   */
  activeLeavesUpdate(activated: Hash | null = null): void {
    for (const rp of [...this.bitfields.keys()]) {
      if (!this.view.isActiveLeaf(rp)) this.bitfields.delete(rp);
    }
    for (const rp of [...this.activatedAtUs.keys()]) {
      if (!this.view.isActiveLeaf(rp)) this.activatedAtUs.delete(rp);
    }
    if (activated !== null && !this.activatedAtUs.has(activated)) {
      this.activatedAtUs.set(activated, this.env.now());
    }
  }

  /**
   * With lazily materialised gossip (`env.bitfieldGossip`): what `onBitfield` would have kept by
   * now, computed when it is needed. The copies delivered to me for `relayParent` after it became
   * my active leaf are checked one after another on my `bitfield-distribution` pool (first come,
   * first served, `verifyCostUs` each: exactly one job per check); those whose check ended before
   * now, with a valid signature, are kept. Modelled: the pool is taken as idle before the leaf's
   * first bitfield arrives (the previous leaf's checks ended seconds earlier).
   */
  private materialiseBitfields(relayParent: Hash): void {
    const gossip = this.env.bitfieldGossip;
    const activatedAt = this.activatedAtUs.get(relayParent);
    if (gossip === undefined || activatedAt === undefined) return;
    if (!this.view.isActiveLeaf(relayParent)) return;
    const api = this.env.relayChain.api(relayParent);
    if (api === null) return;
    const ctx = BlockContext.of(api);
    const now = this.env.now();
    const cost = this.env.verifyCostUs;
    let free = 0;
    for (const d of gossip.delivered(relayParent)) {
      if (d.deliveredAtUs < activatedAt) continue; // not an active leaf yet: dropped on receipt
      const msg = d.msg;
      const key = ctx.validatorKeys[msg.validatorIndex];
      if (key === undefined) continue;
      free = Math.max(free, d.deliveredAtUs) + cost;
      // Deliveries come in order, so every later check ends later too.
      if (free >= now) break;
      if (!this.env.verify(bitfieldPayload(msg.bits, ctx), msg.signature, key)) {
        this.log.debug("Bitfield with an invalid signature dropped", {
          validatorIndex: msg.validatorIndex,
          from: d.from,
        });
        continue;
      }
      this.noteBitfield(relayParent, {
        validatorIndex: msg.validatorIndex,
        payload: msg.bits,
        signature: msg.signature,
      });
    }
  }

  /** My own bitfield (no signature check needed). */
  noteBitfield(relayParent: Hash, bitfield: SignedAvailabilityBitfield): void {
    getOrInsertComputed(this.bitfields, relayParent, () => new Map()).set(
      bitfield.validatorIndex,
      bitfield,
    );
  }

  /** A peer's `Bitfield`: for an active leaf, signature checked, then kept. */
  onBitfield(from: ActorId, msg: Extract<ProtocolMessage, { type: "Bitfield" }>): void {
    if (!this.view.isActiveLeaf(msg.relayParent)) {
      this.log.trace("Bitfield for a relay parent that is not an active leaf", {
        relayParent: msg.relayParent,
        from,
      });
      return;
    }
    const api = this.env.relayChain.api(msg.relayParent);
    if (api === null) return;
    const ctx = BlockContext.of(api);
    const key = ctx.validatorKeys[msg.validatorIndex];
    if (key === undefined) return;
    this.signatures.charge(1, () => {
      if (!this.view.isActiveLeaf(msg.relayParent)) return;
      const payload = msg.bits;
      if (!this.env.verify(bitfieldPayload(payload, ctx), msg.signature, key)) {
        this.log.debug("Bitfield with an invalid signature dropped", {
          validatorIndex: msg.validatorIndex,
          from,
        });
        return;
      }
      this.noteBitfield(msg.relayParent, {
        validatorIndex: msg.validatorIndex,
        payload,
        signature: msg.signature,
      });
    });
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
    const ctx = BlockContext.of(api);
    const cores = ctx.availabilityCores;
    this.materialiseBitfields(parent.hash);
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
            timedOutCandidates.push(core.candidateHash);
            ancestor(para, core.candidateHash);
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
