/**
 * The scope of a fragment chain: the relay parent it is built for, the ancestors candidates may
 * use as relay parents, the candidates pending availability there, the base constraints (from the
 * latest included head) and how long the best chain may grow, which is where the generations
 * differ (SEMANTICS.md §7 C1, `maxChainLength`):
 * - 2024 (G2): `max_candidate_depth + 1` candidates, those pending availability included;
 * - current (since #7254, stable2503; unchanged up to stable2603): `Scope::with_ancestors(..,
 *   max_backable_len, ..)` stores `max_backable_len + pending_availability.len()`, where
 *   prospective parachains passes the number of distinct cores the para holds in the leaf's claim
 *   queue (any depth): pending candidates come on top of the cores.
 *
 * Invariants:
 * - Ancestors are consecutive block numbers, newest first from `relayParent.number - 1`, and none
 *   older than `baseConstraints.minRelayParentNumber` is kept (`withAncestors`).
 * - A scope is immutable: fragment chains at many relay parents may share one.
 *
 * Ref: polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs (Scope,
 *      PendingAvailability, UnexpectedAncestor)
 */

import type { Generation } from "../../../config/generation.ts";
import type { Constraints, RelayChainBlockInfo } from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import type { BlockNumber, CandidateHash } from "../../../primitives/codecs.ts";
import { hashHex } from "../../../primitives/hashing.ts";

/**
 * The best chain's length bound, pending-availability candidates included. `limit` is the
 * generation's own parameter: `max_candidate_depth` (2024) or `max_backable_len` (current: the
 * para's distinct claim-queue cores at the leaf).
 */
export function maxChainLength(
  generation: Generation,
  limit: number,
  pendingCount: number,
): number {
  return generation === "2024" ? limit + 1 : limit + pendingCount;
}

/** A candidate on chain but pending availability. Its relay parent may be out of scope. */
export interface PendingAvailability {
  readonly candidateHash: CandidateHash;
  readonly relayParent: RelayChainBlockInfo;
}

/** The ancestors given to a scope were not in the expected order. */
export interface UnexpectedAncestor {
  readonly code: "UnexpectedAncestor";
  /** The block number at which the error occurred. */
  readonly number: BlockNumber;
  /** The previous block number seen, which `number` did not follow. */
  readonly prev: BlockNumber;
}

export class Scope {
  /** `base_constraints.required_parent.hash()`, computed once (Rust recomputes it each time). */
  readonly requiredParentHash: Hash;
  private readonly pendingByHash: ReadonlyMap<CandidateHash, PendingAvailability>;

  private constructor(
    /** The relay parent the chain is built on. */
    readonly relayParent: RelayChainBlockInfo,
    /** Ancestors by hash, oldest last (insertion order is newest first). */
    private readonly ancestorsByHash: ReadonlyMap<Hash, RelayChainBlockInfo>,
    private readonly earliest: RelayChainBlockInfo,
    readonly pendingAvailability: readonly PendingAvailability[],
    readonly baseConstraints: Constraints,
    /** The best chain's length bound, pending availability included (`maxChainLength`). */
    readonly maxChainLength: number,
  ) {
    this.requiredParentHash = hashHex(baseConstraints.requiredParent);
    const pending = new Map<CandidateHash, PendingAvailability>();
    // `get_pending_availability` is a linear find returning the first match: keep the first.
    for (const p of pendingAvailability)
      if (!pending.has(p.candidateHash)) pending.set(p.candidateHash, p);
    this.pendingByHash = pending;
  }

  /**
   * `Scope::with_ancestors`. Ancestors go newest first, starting with the parent of
   * `relayParent` and decreasing by exactly one; only those down to the minimum relay-parent
   * number of `baseConstraints` are kept. Zero ancestors are allowed. `limit` is
   * `max_candidate_depth` (2024) or `max_backable_len` (current), see `maxChainLength`.
   */
  static withAncestors(
    relayParent: RelayChainBlockInfo,
    baseConstraints: Constraints,
    pendingAvailability: readonly PendingAvailability[],
    limit: number,
    ancestors: Iterable<RelayChainBlockInfo>,
    generation: Generation,
  ): Result<Scope, UnexpectedAncestor> {
    const byHash = new Map<Hash, RelayChainBlockInfo>();
    let earliest = relayParent;
    let prev = relayParent.number;
    for (const ancestor of ancestors) {
      if (prev === 0 || ancestor.number !== prev - 1) {
        return err({ code: "UnexpectedAncestor", number: ancestor.number, prev });
      }
      if (prev === baseConstraints.minRelayParentNumber) break;
      prev = ancestor.number;
      byHash.set(ancestor.hash, ancestor);
      earliest = ancestor;
    }
    return ok(
      new Scope(
        relayParent,
        byHash,
        earliest,
        pendingAvailability,
        baseConstraints,
        maxChainLength(generation, limit, pendingAvailability.length),
      ),
    );
  }

  /** The earliest relay parent allowed: the oldest ancestor kept, or the relay parent itself. */
  earliestRelayParent(): RelayChainBlockInfo {
    return this.earliest;
  }

  /** The relay parent or an ancestor, by hash; undefined if out of scope. */
  ancestor(hash: Hash): RelayChainBlockInfo | undefined {
    if (hash === this.relayParent.hash) return this.relayParent;
    return this.ancestorsByHash.get(hash);
  }

  /** How many ancestors were kept. */
  get ancestorCount(): number {
    return this.ancestorsByHash.size;
  }

  /** The ancestors kept, newest first. */
  ancestors(): IterableIterator<RelayChainBlockInfo> {
    return this.ancestorsByHash.values();
  }

  /** `get_pending_availability`: whether the candidate is pending availability in this scope. */
  getPendingAvailability(candidateHash: CandidateHash): PendingAvailability | undefined {
    return this.pendingByHash.get(candidateHash);
  }
}
