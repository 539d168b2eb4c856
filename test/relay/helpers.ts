/**
 * Test helpers for the relay runtime: a configuration builder, a FIFO assignment provider like
 * polkadot-sdk's `MockAssigner`, candidate builders (like `TestCandidateBuilder`) and a fake
 * signature scheme: `sign(v, payload) = blake2(v ++ payload)`, so a signature only verifies for the
 * validator and payload it was made for.
 */
import { HostConfiguration, type SchedulerParams } from "../../src/config/host-configuration.ts";
import {
  bytesEqual,
  concatBytes,
  type Hash,
  type Hex,
  repeatByte,
  toHex,
  ZERO_HASH,
} from "../../src/lib/hex.ts";
import { candidateHash } from "../../src/primitives/candidate.ts";
import type {
  CandidateCommitments,
  CommittedCandidateReceipt,
  ParaId,
} from "../../src/primitives/codecs.ts";
import { PersistedValidationData } from "../../src/primitives/codecs.ts";
import { blake2b256, hashBytes, hashHex } from "../../src/primitives/hashing.ts";
import type { BackedCandidate } from "../../src/primitives/inherent.ts";
import {
  attestationSignedPayload,
  type ValidityAttestation,
} from "../../src/primitives/statements.ts";
import { validationCodeHash } from "../../src/relay/paras.ts";
import type { Assignment, AssignmentProvider } from "../../src/relay/scheduler.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function config(
  overrides: Partial<Mutable<HostConfiguration>> = {},
  scheduler: Partial<SchedulerParams> = {},
): HostConfiguration {
  const base = HostConfiguration.default();
  return { ...base, ...overrides, schedulerParams: { ...base.schedulerParams, ...scheduler } };
}

/** `MockAssigner`: one FIFO queue for all cores; pushed-back assignments go to the front. */
export class MockAssigner implements AssignmentProvider {
  readonly queue: Assignment[] = [];
  readonly processed: Assignment[] = [];
  add(a: Assignment): void {
    this.queue.push(a);
  }
  popAssignmentForCore(): Assignment | null {
    return this.queue.shift() ?? null;
  }
  reportProcessed(a: Assignment): void {
    this.processed.push(a);
  }
  pushBackAssignment(a: Assignment): void {
    this.queue.unshift(a);
  }
  assignmentDuplicated(): void {}
}

export const bulk = (paraId: ParaId): Assignment => ({ kind: "Bulk", paraId });

export function fakeSign(validator: number, payload: Uint8Array): Uint8Array {
  return blake2b256(concatBytes(new Uint8Array([validator & 0xff, validator >> 8]), payload));
}

export function fakeVerify(validator: number, payload: Uint8Array, signature: Uint8Array): boolean {
  return bytesEqual(fakeSign(validator, payload), signature);
}

/** The validation code every test para starts with (`dummy_validation_code`). */
export const DUMMY_CODE = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);

export interface CandidateSpec {
  para: ParaId;
  relayParent: Hash;
  relayParentNumber: number;
  stateRoot?: Hash;
  maxPovSize?: number;
  parentHead: Hex;
  head: Hex;
  code?: Uint8Array;
  newValidationCode?: Uint8Array | null;
  hrmpWatermark?: number;
  processedDownwardMessages?: number;
  upwardMessages?: Uint8Array[];
  horizontalMessages?: CandidateCommitments["horizontalMessages"];
  pvdHashOverride?: Hash;
  paraHeadOverride?: Hash;
  povByte?: number;
}

/** A V1 committed receipt whose PVD hash, para head and code hash are consistent with `spec`. */
export function makeCandidate(spec: CandidateSpec): CommittedCandidateReceipt {
  const pvdHash = hashBytes(
    PersistedValidationData.enc({
      parentHead: spec.parentHead,
      relayParentNumber: spec.relayParentNumber,
      relayParentStorageRoot: spec.stateRoot ?? ZERO_HASH,
      maxPovSize: spec.maxPovSize ?? 0,
    }),
  );
  return {
    descriptor: {
      kind: "v1",
      paraId: spec.para,
      relayParent: spec.relayParent,
      collator: repeatByte(7),
      persistedValidationDataHash: spec.pvdHashOverride ?? pvdHash,
      povHash: repeatByte(spec.povByte ?? 1),
      erasureRoot: ZERO_HASH,
      signature: repeatByte(7, 64),
      paraHead: spec.paraHeadOverride ?? hashHex(spec.head),
      validationCodeHash: validationCodeHash(spec.code ?? DUMMY_CODE),
    },
    commitments: {
      upwardMessages: spec.upwardMessages ?? [],
      horizontalMessages: spec.horizontalMessages ?? [],
      newValidationCode: spec.newValidationCode ?? null,
      headData: spec.head,
      processedDownwardMessages: spec.processedDownwardMessages ?? 0,
      hrmpWatermark: spec.hrmpWatermark ?? spec.relayParentNumber,
    },
  };
}

/**
 * `back_candidate`: the first `signing` members of `group` sign `Valid` (Explicit) statements;
 * `coreIndex` is injected as 8 extra bits when given.
 */
export function backCandidate(
  candidate: CommittedCandidateReceipt,
  group: readonly number[],
  signing: number,
  sessionIndex: number,
  coreIndex: number | null = null,
  signer: readonly number[] = group,
): BackedCandidate {
  const hash = candidateHash(candidate);
  const payload = attestationSignedPayload(
    { kind: "Explicit", signature: new Uint8Array() },
    hash,
    {
      sessionIndex,
      parentHash: candidate.descriptor.relayParent,
    },
  );
  const votes: ValidityAttestation[] = [];
  const bits = group.map((_, i) => i < signing);
  for (let i = 0; i < signing; i++)
    votes.push({ kind: "Explicit", signature: fakeSign(signer[i]!, payload) });
  if (coreIndex !== null) for (let i = 0; i < 8; i++) bits.push(((coreIndex >> i) & 1) === 1);
  return { candidate, validityVotes: votes, validatorIndices: bits };
}

export const head = (...bytes: number[]): Hex => toHex(new Uint8Array(bytes));
export const EMPTY_HEAD: Hex = "0x";
