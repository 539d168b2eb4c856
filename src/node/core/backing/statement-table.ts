/**
 * The statement table: the `Seconded` and `Valid` statements validators issue about candidates,
 * grouped per backing group, with the misbehaviour they reveal. Pure (no I/O), generic over the
 * candidate, digest, authority, group and signature types like the Rust `Table<Ctx>`; candidate
 * backing instantiates it with receipts, candidate hashes, validator indices, core indices
 * (`GroupId = CoreIndex`) and signatures.
 *
 * Rules (generic.rs):
 * - `Seconded(candidate)` from an authority not in `group` -> `UnauthorizedStatement`. Without
 *   `allowMultipleSeconded`, a second different candidate from the same authority ->
 *   `MultipleCandidates`; with it (async backing), any number, the same one counted once. A
 *   `Seconded` is an implicit validity vote (`Issued`).
 * - `Valid(digest)` for an unknown candidate is ignored (null); from a non-member of the
 *   candidate's group -> `UnauthorizedStatement`.
 * - A second vote of the same authority on a candidate: identical -> ignored (null); otherwise
 *   `ValidityDoubleVote::IssuedAndValidity` (Seconded vs Valid) or `DoubleSign` (two different
 *   signatures on the same statement).
 * - `attestedCandidate`: votes >= `effective_minimum_backing_votes(group size, minimum)`; an
 *   unknown group size means never attested.
 *
 * Invariant: a candidate's votes are kept in arrival order (Rust: `HashMap`, arbitrary order);
 * whoever needs the group order (the `BackedCandidate`) sorts them.
 *
 * Ref: polkadot/statement-table/src/generic.rs (Table, CandidateData::attested, import_candidate,
 *      validity_vote), polkadot/primitives (effective_minimum_backing_votes).
 */

import { assert } from "../../../lib/assert.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import { effectiveMinimumBackingVotes } from "../../../primitives/thresholds.ts";

/** `Context`: group membership and sizes. */
export interface TableContext<A, G> {
  isMemberOf(authority: A, group: G): boolean;
  getGroupSize(group: G): number | undefined;
}

/** `Statement`: what an authority says about a candidate. */
export type Statement<C, D> =
  | { readonly kind: "Seconded"; readonly candidate: C }
  | { readonly kind: "Valid"; readonly digest: D };

/** `SignedStatement`. */
export interface SignedTableStatement<C, D, A, S> {
  readonly statement: Statement<C, D>;
  readonly signature: S;
  readonly sender: A;
}

/** `ValidityAttestation` of the table (`Implicit` = by seconding, `Explicit` = `Valid`). */
export type TableAttestation<S> =
  | { readonly kind: "Implicit"; readonly signature: S }
  | { readonly kind: "Explicit"; readonly signature: S };

/** `Misbehavior`: provable misbehaviour of an authority. */
export type Misbehavior<C, D, A, S> =
  | {
      readonly kind: "ValidityDoubleVote";
      /** `IssuedAndValidity((candidate, sig), (digest, sig))`. */
      readonly issued: readonly [C, S];
      readonly validity: readonly [D, S];
    }
  | {
      readonly kind: "MultipleCandidates";
      readonly first: readonly [C, S];
      readonly second: readonly [C, S];
    }
  | {
      readonly kind: "UnauthorizedStatement";
      readonly statement: SignedTableStatement<C, D, A, S>;
    }
  | { readonly kind: "DoubleSign"; readonly on: "Seconded"; readonly candidate: C; a: S; b: S }
  | { readonly kind: "DoubleSign"; readonly on: "Validity"; readonly digest: D; a: S; b: S };

/** `Summary` of an import. */
export interface Summary<D, G> {
  readonly candidate: D;
  readonly groupId: G;
  readonly validityVotes: number;
}

/** `AttestedCandidate`. */
export interface AttestedCandidate<G, C, A, S> {
  readonly groupId: G;
  readonly candidate: C;
  readonly validityVotes: readonly (readonly [A, TableAttestation<S>])[];
}

type ValidityVote<S> = { readonly kind: "Issued" | "Valid"; readonly signature: S };

/** `CandidateData`: a candidate and its validity votes. */
export class CandidateData<G, C, A, S> {
  readonly validityVotes = new Map<A, ValidityVote<S>>();

  constructor(
    readonly groupId: G,
    readonly candidate: C,
  ) {}

  /** `attested(validity_threshold)`: the attestation if there are enough votes. */
  attested(validityThreshold: number): AttestedCandidate<G, C, A, S> | null {
    if (this.validityVotes.size < validityThreshold) return null;
    const votes: (readonly [A, TableAttestation<S>])[] = [];
    for (const [a, v] of this.validityVotes) {
      votes.push([
        a,
        v.kind === "Valid"
          ? { kind: "Explicit", signature: v.signature }
          : { kind: "Implicit", signature: v.signature },
      ]);
    }
    return { groupId: this.groupId, candidate: this.candidate, validityVotes: votes };
  }
}

export interface TableConfig {
  /** With async backing: an authority may second several candidates (bounded elsewhere). */
  readonly allowMultipleSeconded: boolean;
}

export class Table<C, D, A, G, S> {
  private readonly authorityData = new Map<A, [D, S][]>();
  private readonly detectedMisbehavior = new Map<A, Misbehavior<C, D, A, S>[]>();
  private readonly candidateVotes = new Map<D, CandidateData<G, C, A, S>>();

  constructor(
    private readonly config: TableConfig,
    /** `Context::candidate_digest`. */
    private readonly candidateDigest: (candidate: C) => D,
    /** Signature equality (`Eq` of the Rust signature type). */
    private readonly signaturesEqual: (a: S, b: S) => boolean,
  ) {}

  /** `attested_candidate`: the attested candidate `digest`, or null. */
  attestedCandidate(
    digest: D,
    context: TableContext<A, G>,
    minimumBackingVotes: number,
  ): AttestedCandidate<G, C, A, S> | null {
    const data = this.candidateVotes.get(digest);
    if (data === undefined) return null;
    const len = context.getGroupSize(data.groupId);
    const threshold =
      len === undefined
        ? Number.POSITIVE_INFINITY
        : effectiveMinimumBackingVotes(len, minimumBackingVotes);
    return data.attested(threshold);
  }

  /**
   * `import_statement`: imports a signed statement (signatures must have been checked). Null if
   * it was a duplicate, invalid or misbehaviour (recorded).
   */
  importStatement(
    context: TableContext<A, G>,
    groupId: G,
    signed: SignedTableStatement<C, D, A, S>,
  ): Summary<D, G> | null {
    const { statement, signature, sender } = signed;
    const res =
      statement.kind === "Seconded"
        ? this.importCandidate(context, sender, statement.candidate, signature, groupId)
        : this.validityVote(context, sender, statement.digest, { kind: "Valid", signature });
    if (res.ok) return res.value;
    getOrInsertComputed(this.detectedMisbehavior, sender, () => []).push(res.error);
    return null;
  }

  getCandidate(digest: D): C | undefined {
    return this.candidateVotes.get(digest)?.candidate;
  }

  /** The candidate's data (votes), for inspection. */
  candidateData(digest: D): CandidateData<G, C, A, S> | undefined {
    return this.candidateVotes.get(digest);
  }

  getMisbehavior(): ReadonlyMap<A, readonly Misbehavior<C, D, A, S>[]> {
    return this.detectedMisbehavior;
  }

  /** `drain_misbehaviors`: all detected misbehaviour, removed from the table. */
  drainMisbehaviors(): [A, Misbehavior<C, D, A, S>][] {
    const out: [A, Misbehavior<C, D, A, S>][] = [];
    for (const [a, list] of this.detectedMisbehavior) for (const m of list) out.push([a, m]);
    this.detectedMisbehavior.clear();
    return out;
  }

  private importCandidate(
    context: TableContext<A, G>,
    authority: A,
    candidate: C,
    signature: S,
    group: G,
  ): ImportResult<C, D, A, G, S> {
    if (!context.isMemberOf(authority, group)) {
      return misbehaving({
        kind: "UnauthorizedStatement",
        statement: { statement: { kind: "Seconded", candidate }, signature, sender: authority },
      });
    }
    const digest = this.candidateDigest(candidate);
    let newProposal: boolean;
    const existing = this.authorityData.get(authority);
    if (existing !== undefined) {
      if (!this.config.allowMultipleSeconded && existing.length === 1) {
        const [oldDigest, oldSig] = existing[0]!;
        if (oldDigest !== digest) {
          const old = this.candidateVotes.get(oldDigest);
          // Existence proof: a proposal creates its candidate entry.
          assert(old !== undefined, "statement-table: a proposal without its candidate entry");
          return misbehaving({
            kind: "MultipleCandidates",
            first: [old.candidate, oldSig],
            second: [candidate, signature],
          });
        }
        newProposal = false;
      } else if (this.config.allowMultipleSeconded && secondedAlready(existing, digest)) {
        newProposal = false;
      } else {
        existing.push([digest, signature]);
        newProposal = true;
      }
    } else {
      this.authorityData.set(authority, [[digest, signature]]);
      newProposal = true;
    }
    if (newProposal && !this.candidateVotes.has(digest)) {
      this.candidateVotes.set(digest, new CandidateData(group, candidate));
    }
    return this.validityVote(context, authority, digest, { kind: "Issued", signature });
  }

  private validityVote(
    context: TableContext<A, G>,
    from: A,
    digest: D,
    vote: ValidityVote<S>,
  ): ImportResult<C, D, A, G, S> {
    const votes = this.candidateVotes.get(digest);
    if (votes === undefined) return ok(null);
    if (!context.isMemberOf(from, votes.groupId)) {
      // An implicit vote only comes from `importCandidate`, after its membership check.
      assert(vote.kind !== "Issued", "statement-table: an implicit vote from a non-member");
      return misbehaving({
        kind: "UnauthorizedStatement",
        statement: {
          statement: { kind: "Valid", digest },
          signature: vote.signature,
          sender: from,
        },
      });
    }
    const existing = votes.validityVotes.get(from);
    if (existing !== undefined) {
      if (existing.kind === vote.kind && this.signaturesEqual(existing.signature, vote.signature)) {
        return ok(null);
      }
      if (existing.kind !== vote.kind) {
        const issued = existing.kind === "Issued" ? existing.signature : vote.signature;
        const good = existing.kind === "Valid" ? existing.signature : vote.signature;
        return misbehaving({
          kind: "ValidityDoubleVote",
          issued: [votes.candidate, issued],
          validity: [digest, good],
        });
      }
      return misbehaving(
        existing.kind === "Issued"
          ? {
              kind: "DoubleSign",
              on: "Seconded",
              candidate: votes.candidate,
              a: existing.signature,
              b: vote.signature,
            }
          : {
              kind: "DoubleSign",
              on: "Validity",
              digest,
              a: existing.signature,
              b: vote.signature,
            },
      );
    }
    votes.validityVotes.set(from, vote);
    return ok({
      candidate: digest,
      groupId: votes.groupId,
      validityVotes: votes.validityVotes.size,
    });
  }
}

/** Whether an authority's proposals include `digest`. */
function secondedAlready<D, S>(proposals: readonly (readonly [D, S])[], digest: D): boolean {
  for (const [d] of proposals) if (d === digest) return true;
  return false;
}

/** An import's summary (null: nothing changed), or the misbehaviour it revealed. */
type ImportResult<C, D, A, G, S> = Result<Summary<D, G> | null, Misbehavior<C, D, A, S>>;

function misbehaving<C, D, A, G, S>(m: Misbehavior<C, D, A, S>): ImportResult<C, D, A, G, S> {
  return err(m);
}
