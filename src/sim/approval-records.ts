/**
 * What the run report reads of approval checking: for every candidate a relay block included, its
 * approval in the view of the author of the NEXT relay block (SCENARIO.md `approvalMs`: the
 * validator whose view decides what it builds on), with the tranches the approval needed and the
 * no-shows it counted.
 *
 * Every validator's approvals of a block's candidates are kept until the next block is produced
 * (its author is then known), then only that author's are: memory stays a few blocks deep.
 * Records come out in inclusion order; a candidate its author had not approved by the end of the
 * run is recorded with `approvalMs: null`. The last block's candidates (no next author) are not
 * recorded.
 */
import type { CandidateApprovedInfo } from "../actors/env.ts";
import type { Hash } from "../lib/hex.ts";
import type { CandidateHash, ValidatorIndex } from "../primitives/codecs.ts";

/** One included candidate's approval, as the next block's author saw it. */
export interface ApprovalRecord {
  readonly paraId: number;
  readonly candidateHash: CandidateHash;
  /** The relay block number that carried its `CandidateIncluded`. */
  readonly includedAtBlock: number;
  /** From that block's slot start to the approval, ms; null: not approved by the run's end. */
  readonly approvalMs: number | null;
  /** The last tranche the approval needed (null when not approved). */
  readonly tranchesNeeded: number | null;
  readonly noShows: number;
}

function unapproved(paraId: number, candidate: CandidateHash, number: number): ApprovalRecord {
  return {
    paraId,
    candidateHash: candidate,
    includedAtBlock: number,
    approvalMs: null,
    tranchesNeeded: null,
    noShows: 0,
  };
}

interface Included {
  readonly number: number;
  readonly slotStartUs: number;
  /** Para of each included candidate, in inclusion order. */
  readonly paraOf: Map<CandidateHash, number>;
  /** Approvals seen so far, per candidate and validator (until the author is known). */
  readonly seen: Map<CandidateHash, Map<ValidatorIndex, CandidateApprovedInfo>>;
  author: ValidatorIndex | null;
  readonly done: Map<CandidateHash, ApprovalRecord>;
}

export class ApprovalRecorder {
  private readonly open = new Map<Hash, Included>();
  private readonly closed: ApprovalRecord[] = [];

  /** Block `hash` (number, slot start) included these candidates. */
  noteIncluded(
    hash: Hash,
    number: number,
    slotStartUs: number,
    candidates: readonly { readonly candidateHash: CandidateHash; readonly paraId: number }[],
  ): void {
    if (candidates.length === 0) return;
    this.open.set(hash, {
      number,
      slotStartUs,
      paraOf: new Map(candidates.map((c) => [c.candidateHash, c.paraId])),
      seen: new Map(),
      author: null,
      done: new Map(),
    });
  }

  /** The child of `parent` was authored by validator `author`. */
  noteNextAuthor(parent: Hash, author: ValidatorIndex): void {
    const inc = this.open.get(parent);
    if (inc === undefined) return;
    inc.author = author;
    for (const [candidate, byValidator] of inc.seen) {
      const info = byValidator.get(author);
      if (info !== undefined) this.complete(inc, parent, candidate, info);
    }
    inc.seen.clear();
  }

  /** A validator approved a candidate under a block (its own view). */
  onApproved(info: CandidateApprovedInfo): void {
    const inc = this.open.get(info.block);
    if (inc === undefined || !inc.paraOf.has(info.candidateHash)) return;
    if (inc.author === null) {
      let byValidator = inc.seen.get(info.candidateHash);
      if (byValidator === undefined) {
        byValidator = new Map();
        inc.seen.set(info.candidateHash, byValidator);
      }
      byValidator.set(info.validator, info);
    } else if (info.validator === inc.author) {
      this.complete(inc, info.block, info.candidateHash, info);
    }
  }

  private complete(inc: Included, hash: Hash, candidate: CandidateHash, i: CandidateApprovedInfo) {
    if (inc.done.has(candidate)) return;
    inc.done.set(candidate, {
      paraId: inc.paraOf.get(candidate)!,
      candidateHash: candidate,
      includedAtBlock: inc.number,
      approvalMs: Math.max(0, i.atUs - inc.slotStartUs) / 1000,
      tranchesNeeded: i.tranchesNeeded,
      noShows: i.noShows,
    });
    if (inc.done.size === inc.paraOf.size) this.close(hash, inc);
  }

  private close(hash: Hash, inc: Included): void {
    for (const [candidate, paraId] of inc.paraOf) {
      this.closed.push(inc.done.get(candidate) ?? unapproved(paraId, candidate, inc.number));
    }
    this.open.delete(hash);
  }

  /** Every record so far; at the end of the run, the blocks still open count as unapproved. */
  records(): readonly ApprovalRecord[] {
    const out = [...this.closed];
    for (const inc of this.open.values()) {
      if (inc.author === null) continue;
      for (const [candidate, paraId] of inc.paraOf) {
        out.push(inc.done.get(candidate) ?? unapproved(paraId, candidate, inc.number));
      }
    }
    return out.sort((a, b) => a.includedAtBlock - b.includedAtBlock);
  }
}
