/**
 * Conformance suite `inclusion` (FORMAT.md): enactment of pending-availability chains and the
 * timeout cascade, on the relay runtime's inclusion module.
 *
 * given `{"validators": n, "pending": {"<para>": [{"candidate": NAME, "core": n}, ...]}}` builds
 * one relay state with `n` active validators and those chains (in chain order). Candidates are
 * stand-ins: their hash is blake2-256 of the NAME's UTF-8 bytes, their head data those bytes, no
 * messages; availability and enactment do not look further.
 */
import { type Hash, repeatByte, toHex, ZERO_HASH } from "../../lib/hex.ts";
import type { CandidateCommitments, CandidateDescriptor, ParaId } from "../../primitives/codecs.ts";
import { hashBytes } from "../../primitives/hashing.ts";
import {
  type CandidatePendingAvailability,
  type CheckedAvailabilityBitfield,
  freeTimedout,
  updatePendingAvailabilityAndGetFreedCores,
} from "../../relay/inclusion.ts";
import { newRelayState, type RelayState } from "../../relay/state.ts";
import { describe, type Json, Reader, VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";

function standInCandidate(
  name: string,
  para: ParaId,
  core: number,
  nValidators: number,
): CandidatePendingAvailability {
  const bytes = new TextEncoder().encode(name);
  const descriptor: CandidateDescriptor = {
    kind: "v1",
    paraId: para,
    relayParent: ZERO_HASH,
    collator: repeatByte(1),
    persistedValidationDataHash: ZERO_HASH,
    povHash: ZERO_HASH,
    erasureRoot: ZERO_HASH,
    signature: repeatByte(1, 64),
    paraHead: hashBytes(bytes),
    validationCodeHash: ZERO_HASH,
  };
  const commitments: CandidateCommitments = {
    upwardMessages: [],
    horizontalMessages: [],
    newValidationCode: null,
    headData: toHex(bytes),
    processedDownwardMessages: 0,
    hrmpWatermark: 0,
  };
  return {
    core,
    hash: hashBytes(bytes),
    descriptor,
    commitments,
    availabilityVotes: new Array<boolean>(nValidators).fill(false),
    backers: new Array<boolean>(nValidators).fill(false),
    relayParentNumber: 0,
    backedInNumber: 0,
    backingGroup: core,
  };
}

function intList(value: Json, path: string, what: string): number[] {
  if (!Array.isArray(value))
    throw new VectorError(`${path}: expected an array of ${what}, got ${describe(value)}`);
  return value.map((v, i) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new VectorError(`${path}[${i}]: expected ${what} (integer >= 0), got ${describe(v)}`);
    }
    return v;
  });
}

interface Fixture {
  readonly state: RelayState;
  readonly nValidators: number;
  readonly paras: readonly ParaId[];
  readonly nameByHash: ReadonlyMap<Hash, string>;
  readonly hashByName: ReadonlyMap<string, Hash>;
}

function build(given: Reader): Fixture {
  const nValidators = given.num("validators");
  const state = newRelayState();
  state.shared.activeValidatorKeys = Array.from({ length: nValidators }, (_, i) =>
    repeatByte(i % 256),
  );
  const nameByHash = new Map<Hash, string>();
  const hashByName = new Map<string, Hash>();
  const chains = given.numKeyed("pending", (value, path) => {
    if (!Array.isArray(value))
      throw new VectorError(`${path}: expected an array, got ${describe(value)}`);
    return value.map((entry, i) => {
      const r = Reader.of(entry, `${path}[${i}]`).onlyKeys(["candidate", "core"]);
      return { name: r.str("candidate"), core: r.num("core") };
    });
  });
  for (const [para, entries] of chains) {
    const chain = entries.map(({ name, core }) => {
      if (hashByName.has(name))
        throw new VectorError(`given.pending: candidate ${JSON.stringify(name)} appears twice`);
      const c = standInCandidate(name, para, core, nValidators);
      nameByHash.set(c.hash, name);
      hashByName.set(name, c.hash);
      return c;
    });
    state.inclusion.pendingAvailability.set(para, chain);
  }
  return { state, nValidators, paras: [...chains.keys()], nameByHash, hashByName };
}

function pendingNames(f: Fixture): Map<ParaId, string[]> {
  const out = new Map<ParaId, string[]>();
  for (const para of f.paras) {
    const chain = f.state.inclusion.pendingAvailability.get(para) ?? [];
    out.set(
      para,
      chain.map((c) => f.nameByHash.get(c.hash)!),
    );
  }
  return out;
}

/** Per validator, a bitfield over the cores (bit i = core i) from `availableBy: {core: [v...]}`. */
function bitfields(step: Reader): CheckedAvailabilityBitfield[] {
  const byCore = step.numKeyed("availableBy", (v, path) => intList(v, path, "validator indices"));
  const nCores = byCore.size === 0 ? 0 : Math.max(...byCore.keys()) + 1;
  const byValidator = new Map<number, boolean[]>();
  for (const [core, validators] of byCore) {
    for (const v of validators) {
      const bits = byValidator.get(v) ?? new Array<boolean>(nCores).fill(false);
      bits[core] = true;
      byValidator.set(v, bits);
    }
  }
  return [...byValidator.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([validatorIndex, payload]) => ({ validatorIndex, payload }));
}

export const inclusionSuite: Suite = {
  name: "inclusion",
  givenKeys: ["validators", "pending"],
  ops: { bitfields: ["availableBy"], timeOut: ["candidate"] },
  init(given) {
    const f = build(given);
    return (op, step) => {
      switch (op) {
        case "bitfields": {
          const freed = updatePendingAvailabilityAndGetFreedCores(
            f.state,
            f.nValidators,
            bitfields(step),
          );
          return okOutcome({
            enacted: freed.map(([, hash]) => f.nameByHash.get(hash)!),
            pending: pendingNames(f),
          });
        }
        case "timeOut": {
          const name = step.str("candidate");
          const target = f.hashByName.get(name);
          if (target === undefined)
            throw new VectorError(
              `${step.at("candidate")}: unknown candidate ${JSON.stringify(name)}`,
            );
          const before = pendingNames(f);
          freeTimedout(f.state, (c) => c.hash === target);
          const after = pendingNames(f);
          const freed: string[] = [];
          for (const [para, names] of before) {
            const kept = new Set(after.get(para));
            for (const n of names) if (!kept.has(n)) freed.push(n);
          }
          return okOutcome({ freed });
        }
        default:
          throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite inclusion`);
      }
    };
  },
};
