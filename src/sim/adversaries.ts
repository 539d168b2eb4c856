/**
 * The scenario's adversaries (SCENARIO.md "Faults and adversaries", `adversaries`) as the world
 * hands them to its actors: one `CollatorMalus` per dishonest collator, one `ValidatorMalus` per
 * dishonest validator (`src/actors/malus.ts`), each answering "misbehave now" for its kinds while
 * one of its entries is active (`adversaryActive` in the current relay slot) and, for a `rate`,
 * by a seeded draw. What the actors do with it, and which honest check meets it, is stated in
 * docs/simulator.md "Adversaries".
 *
 * Invariants:
 * - Determinism: every seeded decision comes from streams forked from a root of the scenario's
 *   seed labelled `adversaries/...`, never from the world's streams: a run without adversaries
 *   draws nothing here and keeps its trace byte for byte.
 * - Observation only: the counts (`acts`) and the candidates a dishonest collator made bad
 *   (`badCandidates`) are for the report; no honest actor ever reads them.
 * - `malicious-author` tampers with its own offer only (`tamperInherent`): the runtime's filters
 *   (`sanitize_bitfields`, the chain and votes checks of `sanitize_backed_candidates` /
 *   `process_candidates`) must drop what it adds.
 *
 * Ref: polkadot/node/malus (variants, interceptor), SCENARIO.md.
 */
import type { CollatorMalus, ValidatorMalus } from "../actors/malus.ts";
import type { Adversary, AdversaryKind, CollatorAdversaryKind } from "../config/faults.ts";
import { adversaryActive } from "../config/faults.ts";
import type { Hash } from "../lib/hex.ts";
import { Prng } from "../lib/prng.ts";
import type {
  BackedCandidate,
  ParachainsInherentData,
  SignedAvailabilityBitfield,
} from "../primitives/inherent.ts";
import type { RelayBlockRecord } from "./records.ts";
import type { RejectedBlock } from "./relay-block-production.ts";

/** What a `malicious-author` did to the inherents it offered, by act. */
export interface AuthorActs {
  /** Backed candidates offered with all but one of their votes stripped. */
  underBacked: number;
  /**
   * Blocks whose bitfields were forged: every bitfield claims every core, under its signer's
   * signature over what it really holds (so the signature no longer matches).
   */
  forgedBitfields: number;
  /** Paras whose candidates were offered out of chain order. */
  wrongOrder: number;
}

/** An invalid candidate that got backed (beyond the budget) and what became of it. */
export interface InvalidCandidateRecord {
  readonly paraId: number;
  readonly candidateHash: Hash;
  /** Relay block whose inherent backed it on chain. */
  readonly backedIn: number;
  /** Relay block that included it (null: never included). */
  readonly includedIn: number | null;
  readonly finalized: boolean;
}

export class Adversaries {
  /** Acts of misbehaviour per kind (counted when they happen). */
  readonly acts = new Map<AdversaryKind, number>();
  /** The candidates a dishonest collator made bad, with how (observation only). */
  readonly badCandidates = new Map<Hash, CollatorAdversaryKind>();
  readonly authorActs: AuthorActs = { underBacked: 0, forgedBitfields: 0, wrongOrder: 0 };
  /** What the runtime's filters dropped from the offered inherents (`observeBlock`). */
  readonly runtimeDrops = { bitfields: 0, candidates: new Map<string, number>() };
  /**
   * Blocks `enter` failed (`CandidatesFilteredDuringExecution`), by the first filtered
   * candidate's reason: a malicious author's, rejected by every importer (`noteRejected`).
   */
  readonly rejectedBlocks = new Map<string, number>();
  private readonly root: Prng;

  constructor(
    private readonly list: readonly Adversary[],
    seed: number | string,
    /** The current relay slot. */
    private readonly slot: () => number,
    /** What a malicious author knows of the chain it builds on (its own node's view). */
    private readonly chain: AuthorView = { validators: 0, pendingCores: () => [] },
  ) {
    this.root = Prng.fromSeed(seed).fork("adversaries");
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  /** Counts what the runtime dropped from block `record`'s offer (only with adversaries). */
  observeBlock(record: RelayBlockRecord): void {
    if (!this.any) return;
    this.runtimeDrops.bitfields +=
      record.offered.bitfields.length - record.accepted.bitfields.length;
    const c = this.runtimeDrops.candidates;
    for (const d of record.dropped) c.set(d.reason.code, (c.get(d.reason.code) ?? 0) + 1);
  }

  /** A block `enter` failed (its slot stayed empty). */
  noteRejected(r: RejectedBlock): void {
    const reason = r.reasons[0] ?? r.error;
    this.rejectedBlocks.set(reason, (this.rejectedBlocks.get(reason) ?? 0) + 1);
  }

  private note(kind: AdversaryKind): void {
    this.acts.set(kind, (this.acts.get(kind) ?? 0) + 1);
  }

  /** The dishonest variant of collator `index` of `paraId`, if the scenario names it. */
  collatorMalus(paraId: number, index: number): CollatorMalus | undefined {
    const mine = this.list.filter(
      (a) => "collators" in a && a.para === paraId && a.collators.includes(index),
    );
    if (mine.length === 0) return undefined;
    const rng = this.root.fork(`collator/${paraId}/${index}`);
    return {
      draw: () => {
        const slot = this.slot();
        for (const a of mine) {
          if (!adversaryActive(a, slot) || !("collators" in a)) continue;
          if (rng.bernoulli(a.rate)) return a.kind;
        }
        return null;
      },
      note: (kind, candidateHash) => {
        this.note(kind);
        this.badCandidates.set(candidateHash, kind);
      },
    };
  }

  /** The dishonest variant of validator `v`, if the scenario names it. */
  validatorMalus(v: number): ValidatorMalus | undefined {
    const mine = this.list.filter((a) => "validators" in a && a.validators.includes(v));
    if (mine.length === 0) return undefined;
    const active = (kind: AdversaryKind) => {
      const slot = this.slot();
      return mine.some((a) => a.kind === kind && adversaryActive(a, slot));
    };
    const rng = this.root.fork(`validator/${v}`);
    return {
      fakeValid: () => active("seconds-invalid"),
      doubleVote: () => active("double-votes"),
      withholdChunks: () => active("withholds-chunks"),
      forgeBitfield: () => active("forges-bitfields"),
      noShow: () => active("no-show"),
      tamperInherent: (data) => {
        const slot = this.slot();
        const author = mine.find((a) => a.kind === "malicious-author" && adversaryActive(a, slot));
        if (author === undefined || !("rate" in author) || !rng.bernoulli(author.rate)) return data;
        const out = tamper(data, this.authorActs, rng.int(AUTHOR_ACTS.length), this.chain);
        if (out !== data) this.note("malicious-author");
        return out;
      },
      note: (kind) => this.note(kind),
    };
  }
}

/** What a malicious author reads of its chain: the validator count, the cores pending availability. */
export interface AuthorView {
  readonly validators: number;
  readonly pendingCores: () => readonly number[];
}

/** What a `malicious-author` can do to an offer (one per tampered block, drawn). */
export const AUTHOR_ACTS = ["underBacked", "forgedBitfields", "wrongOrder"] as const;

/**
 * What a `malicious-author` offers instead of its provisioner's honest inherent, act `first`
 * tried first (then the others in `AUTHOR_ACTS` order, until one applies): `underBacked`, the
 * first backed candidate with all but one of its votes (none if it had one); `forgedBitfields`,
 * when a core pending availability lacks some validator's vote, a bitfield of every validator
 * claiming it (the others' signatures, over what they really hold, kept: it cannot
 * sign for them; a zero signature for those whose bitfield it lacks); `wrongOrder`, the first two candidates of a para with
 * several swapped. Returns `data` itself when nothing applies (an empty offer).
 */
export function tamper(
  data: ParachainsInherentData,
  acts: AuthorActs,
  first: number,
  view: AuthorView,
): ParachainsInherentData {
  for (let k = 0; k < AUTHOR_ACTS.length; k++) {
    const act = AUTHOR_ACTS[(first + k) % AUTHOR_ACTS.length]!;
    const out = tamperWith(act, data, view);
    if (out !== null) {
      acts[act]++;
      return out;
    }
  }
  return data;
}

function tamperWith(
  act: (typeof AUTHOR_ACTS)[number],
  data: ParachainsInherentData,
  view: AuthorView,
): ParachainsInherentData | null {
  const candidates = [...data.backedCandidates];
  let bitfields: SignedAvailabilityBitfield[] = [...data.bitfields];
  switch (act) {
    case "underBacked": {
      const bc = candidates[0];
      if (bc === undefined) return null;
      candidates[0] = underBack(bc);
      break;
    }
    case "forgedBitfields": {
      const forged = forgeBitfields(bitfields, view);
      if (forged === null) return null;
      bitfields = forged;
      break;
    }
    case "wrongOrder": {
      const firstOf = new Map<number, number>();
      let swapped = false;
      for (let i = 0; i < candidates.length && !swapped; i++) {
        const para = candidates[i]!.candidate.descriptor.paraId;
        const j = firstOf.get(para);
        if (j === undefined) firstOf.set(para, i);
        else {
          [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
          swapped = true;
        }
      }
      if (!swapped) return null;
      break;
    }
  }
  return { bitfields, backedCandidates: candidates, disputes: data.disputes };
}

/**
 * An attacker's bitfields: every core pending availability that some validator's honest bitfield
 * does not claim (missing, or its bit unset) is claimed by every validator (null when there is
 * none: nothing to add). It cannot know whether the runtime checks the signatures but by trying;
 * where the honest votes fall short of the supermajority, forged ones would decide the inclusion.
 */
function forgeBitfields(
  honest: readonly SignedAvailabilityBitfield[],
  view: AuthorView,
): SignedAvailabilityBitfield[] | null {
  const width = honest[0]?.payload.length;
  if (width === undefined || view.validators === 0) return null;
  const short = view
    .pendingCores()
    .filter(
      (core) => core < width && honest.filter((b) => b.payload[core]).length < view.validators,
    );
  if (short.length === 0) return null;
  const byValidator = new Map(honest.map((b) => [b.validatorIndex, b]));
  return Array.from({ length: view.validators }, (_, v) => {
    const bf = byValidator.get(v);
    const payload = (bf?.payload ?? Array.from({ length: width }, () => false)).map(
      (bit, core) => bit || short.includes(core),
    );
    return { validatorIndex: v, payload, signature: bf?.signature ?? new Uint8Array(64) };
  });
}

/** The candidate with only its first vote (none if it had one): under the backing threshold. */
function underBack(bc: BackedCandidate): BackedCandidate {
  const keep = bc.validityVotes.length > 1 ? 1 : 0;
  // The group's bits come first (a core index, if injected, follows them): the first set bits
  // are the votes', in order.
  let seen = 0;
  const indices = bc.validatorIndices.map((bit) => {
    if (!bit || seen >= bc.validityVotes.length) return bit;
    seen++;
    return seen <= keep;
  });
  return { ...bc, validityVotes: bc.validityVotes.slice(0, keep), validatorIndices: indices };
}
