/**
 * The dishonest variants an actor may run (SCENARIO.md "Faults and adversaries", `adversaries`):
 * what the world hands a collator or a validator node when the scenario names it an adversary.
 * Modelled on polkadot-sdk's malus node, where one decision of an otherwise honest node is
 * replaced (`ReplaceValidationResult`, `SuggestGarbageCandidate`, ...): each method here is asked
 * at exactly one decision point of the honest code, and answers "misbehave now" or not (its
 * window `at`/`for` and its seeded `rate` are the world's business). Absent: the actor is honest.
 *
 * Invariants: a malus only ever changes what its own actor sends (statements, chunks, bitfields,
 * approvals, the inherent it offers, the collation it advertises); nothing here tells an honest
 * actor who is dishonest. `note` is observation only (the run report counts the attacks).
 *
 * Ref: polkadot/node/malus/src/variants (back_garbage_candidate.rs, suggest_garbage_candidate.rs,
 *      dispute_valid_candidates.rs), polkadot/node/malus/src/interceptor.rs.
 */
import type { AdversaryKind, CollatorAdversaryKind } from "../config/faults.ts";
import type { Hash } from "../lib/hex.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";

/** A dishonest collator: the candidate it is about to submit is made bad (seeded, by `rate`). */
export interface CollatorMalus {
  /** The misbehaviour for the candidate being submitted now, or null (honest this time). */
  draw(): CollatorAdversaryKind | null;
  /** Observation: a bad candidate of `kind` was advertised. */
  note(kind: CollatorAdversaryKind, candidateHash: Hash): void;
}

/** A dishonest validator: each method is one replaced decision, asked now. */
export interface ValidatorMalus {
  /**
   * `seconds-invalid` (malus `back-garbage-candidate`: `FakeCandidateValidation::
   * BackingAndApprovalValid`): the PVF's verdict on a candidate is replaced by Valid.
   */
  fakeValid(): boolean;
  /** `double-votes`: after my vote on a candidate, the other statement for it too. */
  doubleVote(): boolean;
  /** `withholds-chunks`: chunk and available-data requests are answered without data. */
  withholdChunks(): boolean;
  /** `forges-bitfields`: my bitfield claims every occupied core's chunk. */
  forgeBitfield(): boolean;
  /** `no-show`: my approval votes are never sent (assignments are). */
  noShow(): boolean;
  /** `malicious-author`: the inherent I offer, tampered (or `data` itself). */
  tamperInherent(data: ParachainsInherentData): ParachainsInherentData;
  /** Observation: one act of `kind`. */
  note(kind: AdversaryKind): void;
}
