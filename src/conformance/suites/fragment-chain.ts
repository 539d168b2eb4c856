/**
 * Conformance suite `fragment-chain` (FORMAT.md): Scope and FragmentChain (init +
 * populate_from_previous) of the vector's generation: the scope's `maxDepth` is the Rust tests'
 * length argument, `max_candidate_depth` under `2024` (chain of at most maxDepth + 1, pending
 * included) and `max_backable_len` under `current` (maxDepth + the pending candidates), C1. State: the scope of `given` (built on first use) and a current chain,
 * initially `FragmentChain.init(scope, pending)` with the scope's pending-availability candidates,
 * as prospective-parachains does on a new leaf. Candidates are named; results and the errors that
 * carry a candidate hash report names; relay parents stay hashes.
 * Ref: polkadot/node/core/prospective-parachains/src/fragment_chain/{mod.rs,tests.rs}
 */
import type { RelayChainBlockInfo } from "../../emulator/inclusion-emulator.ts";
import type { Result } from "../../lib/result.ts";
import {
  CandidateEntry,
  CandidateStorage,
} from "../../node/core/prospective-parachains/candidate-storage.ts";
import {
  FragmentChain,
  type FragmentChainError,
} from "../../node/core/prospective-parachains/fragment-chain.ts";
import { Scope, type UnexpectedAncestor } from "../../node/core/prospective-parachains/scope.ts";
import { hashHex } from "../../primitives/hashing.ts";
import { type Reader, VectorError } from "../json.ts";
import { errOutcome, type Outcome, okOutcome, type Suite, UnorderedList } from "../suite.ts";
import {
  type CandidateSpec,
  Candidates,
  readConstraints,
  readRelayChainBlockInfo,
} from "./parse-prospective.ts";

/** The keys of a scope (FORMAT.md, fragment-chain `given.scope` and `advance`). */
const SCOPE_KEYS = [
  "relayParent",
  "ancestors",
  "baseConstraints",
  "pendingAvailability",
  "maxDepth",
] as const;

interface ScopeSpec {
  readonly reader: Reader;
  readonly pending: readonly { spec: CandidateSpec; relayParent: RelayChainBlockInfo }[];
}

export const fragmentChainSuite: Suite = {
  name: "fragment-chain",
  givenKeys: ["scope", "candidates"],
  ops: {
    scope: [],
    populate: ["storage"],
    advance: ["scope"],
    chain: [],
    canAddCandidateAsPotential: ["candidate"],
    tryAddingSecondedCandidate: ["candidate"],
    candidateBacked: ["candidate"],
    isCandidateBacked: ["candidate"],
    getHeadDataByHash: ["head"],
    findAncestorPath: ["ancestors"],
    findBackableChain: ["ancestors", "count"],
  },
  init(given, generation) {
    const candidates = new Candidates(given);

    function readScope(r: Reader): ScopeSpec {
      r.onlyKeys(SCOPE_KEYS);
      return {
        reader: r,
        pending: r.objs("pendingAvailability").map((p) => ({
          spec: candidates.get(p.onlyKeys(["candidate", "relayParent"]), "candidate"),
          relayParent: readRelayChainBlockInfo(p.sub("relayParent")),
        })),
      };
    }

    function buildScope(s: ScopeSpec): Result<Scope, UnexpectedAncestor> {
      const r = s.reader;
      return Scope.withAncestors(
        readRelayChainBlockInfo(r.sub("relayParent")),
        readConstraints(r.sub("baseConstraints")),
        s.pending.map((p) => ({ candidateHash: p.spec.candidateHash, relayParent: p.relayParent })),
        r.num("maxDepth"),
        r.objs("ancestors").map(readRelayChainBlockInfo),
        generation,
      );
    }

    /** The scope's pending candidates, added as prospective-parachains does (lib.rs): stop at the
     * first error other than CandidateAlreadyKnown. */
    function pendingStorage(s: ScopeSpec): CandidateStorage {
      const storage = new CandidateStorage();
      for (const { spec } of s.pending) {
        const r = storage.addPendingAvailabilityCandidate(
          spec.candidateHash,
          spec.receipt,
          spec.persistedValidationData,
        );
        if (!r.ok && r.error.code !== "CandidateAlreadyKnown") break;
      }
      return storage;
    }

    let scopeSpec = readScope(given.sub("scope"));
    let scope: Result<Scope, UnexpectedAncestor> | undefined;
    let chain: FragmentChain | undefined;

    function currentScope(): Result<Scope, UnexpectedAncestor> {
      scope ??= buildScope(scopeSpec);
      return scope;
    }

    /** The current chain, or the scope's error. */
    function currentChain(): FragmentChain | UnexpectedAncestor {
      if (chain !== undefined) return chain;
      const s = currentScope();
      if (!s.ok) return s.error;
      chain = FragmentChain.init(s.value, pendingStorage(scopeSpec));
      return chain;
    }

    function entryOf(spec: CandidateSpec) {
      return CandidateEntry.new(
        spec.candidateHash,
        spec.receipt,
        spec.persistedValidationData,
        spec.state,
      );
    }

    function view(c: FragmentChain): unknown {
      return {
        bestChain: c.bestChainVec().map((h) => candidates.nameOf(h)),
        unconnected: new UnorderedList(
          [...c.unconnected()].map((e) => candidates.nameOf(e.candidateHash)),
        ),
      };
    }

    /** Errors carrying a candidate hash report the candidate's name. */
    function chainError(e: FragmentChainError): unknown {
      switch (e.code) {
        case "ForkChoiceRule":
        case "ForkWithCandidatePendingAvailability":
          return { ...e, candidate: candidates.nameOf(e.candidate) };
        default:
          return e;
      }
    }

    function withChain(step: (c: FragmentChain) => Outcome): Outcome {
      const c = currentChain();
      return c instanceof FragmentChain ? step(c) : errOutcome(c);
    }

    return (op, step): Outcome => {
      switch (op) {
        case "scope": {
          const s = currentScope();
          return s.ok
            ? okOutcome({
                ancestorCount: s.value.ancestorCount,
                earliestRelayParent: s.value.earliestRelayParent(),
              })
            : errOutcome(s.error);
        }
        case "populate": {
          const names = step.strs("storage");
          const s = currentScope();
          if (!s.ok) return errOutcome(s.error);
          const storage = new CandidateStorage();
          for (const [i, name] of names.entries()) {
            const entry = entryOf(candidates.named(name, `${step.at("storage")}[${i}]`));
            if (!entry.ok) return errOutcome({ code: "CandidateEntry", inner: entry.error });
            const added = storage.addCandidateEntry(entry.value);
            if (!added.ok) return errOutcome(added.error);
          }
          chain = FragmentChain.populate(s.value, storage);
          return okOutcome(view(chain));
        }
        case "advance": {
          const previous = currentChain();
          if (!(previous instanceof FragmentChain)) return errOutcome(previous);
          const nextSpec = readScope(step.sub("scope"));
          const next = buildScope(nextSpec);
          if (!next.ok) return errOutcome(next.error);
          const advanced = FragmentChain.init(next.value, pendingStorage(nextSpec));
          advanced.populateFromPrevious(previous);
          scopeSpec = nextSpec;
          scope = next;
          chain = advanced;
          return okOutcome(view(chain));
        }
        case "chain":
          return withChain((c) => okOutcome(view(c)));
        case "canAddCandidateAsPotential":
          return withChain((c) => {
            const entry = entryOf(candidates.get(step, "candidate"));
            if (!entry.ok) return errOutcome({ code: "CandidateEntry", inner: entry.error });
            const r = c.canAddCandidateAsPotential(entry.value);
            return r.ok ? okOutcome() : errOutcome(chainError(r.error));
          });
        // Not in FORMAT.md's list: `try_adding_seconded_candidate` (IntroduceSecondedCandidate).
        case "tryAddingSecondedCandidate":
          return withChain((c) => {
            const entry = entryOf(candidates.get(step, "candidate"));
            if (!entry.ok) return errOutcome({ code: "CandidateEntry", inner: entry.error });
            const r = c.tryAddingSecondedCandidate(entry.value);
            return r.ok ? okOutcome(view(c)) : errOutcome(chainError(r.error));
          });
        case "candidateBacked":
          return withChain((c) => {
            c.candidateBacked(candidates.get(step, "candidate").candidateHash);
            return okOutcome(view(c));
          });
        // Not in FORMAT.md's list: the other queries of the chain.
        case "isCandidateBacked":
          return withChain((c) =>
            okOutcome(c.isCandidateBacked(candidates.get(step, "candidate").candidateHash)),
          );
        case "getHeadDataByHash":
          return withChain((c) =>
            okOutcome(c.getHeadDataByHash(hashHex(step.hex("head"))) ?? null),
          );
        case "findAncestorPath":
          return withChain((c) =>
            okOutcome(c.findAncestorPath(candidates.hashes(step, "ancestors"))),
          );
        case "findBackableChain":
          return withChain((c) =>
            okOutcome(
              c
                .findBackableChain(candidates.hashes(step, "ancestors"), step.num("count"))
                .map((b) => candidates.nameOf(b.candidateHash)),
            ),
          );
        default:
          throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite fragment-chain`);
      }
    };
  },
};
