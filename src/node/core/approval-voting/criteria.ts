/**
 * Assignment criteria: which candidates of a relay block a validator checks, and from which
 * delay tranche on; and the check of another validator's assignment certificate.
 *
 * `computeAssignments` follows criteria.rs's `compute_assignments` step by step:
 * 1. nothing if `n_cores == 0`;
 * 2. exclusion: drop every leaving core whose backing group contains us;
 * 3. the modulo part, tranche 0: `RelayVRFModulo` (v1, when `!enable_v2_assignments`): one VRF
 *    per sample on `("A&V MOD", RC-VRF=story, sample=SCALE(u32))`, core
 *    `u32le(make_bytes("A&V CORE")) % n_cores`, kept if that core is leaving, the first sample
 *    hitting a core wins (`or_insert`); or `RelayVRFModuloCompact` (v2): ONE VRF on
 *    `("A&V MOD v2", RC-VRF=story)`, then `min(MAX_MODULO_SAMPLES = 40, samples, n_cores)` cores
 *    sampled without replacement with a generator seeded from `make_bytes("A&V CORE v2")`, kept if
 *    leaving; one cert claims all of them (its `core_bitfield`) and is inserted for each
 *    (overwriting);
 * 4. `RelayVRFDelay` for every remaining leaving core: a VRF on `("A&V DELAY", RC-VRF=story,
 *    core=SCALE(u32))`, tranche `sat_sub(u32le(make_bytes("A&V TRANCHE")) % (n_delay_tranches +
 *    zeroth_delay_tranche_width), zeroth_delay_tranche_width)`, replacing an entry only with a
 *    strictly smaller tranche. So every non-backing validator holds an assignment for every
 *    included candidate, mostly at a late tranche; P(tranche 0) =
 *    (zeroth + 1) / (n_delay + zeroth).
 * The modulo assignments are always tranche 0, so the delay VRF can never replace one: our
 * assignment for a core is `modulo.get(core) ?? delay(core)`. That is why the work is split:
 * `moduloAssignments` once per validator and block, `delayAssignment` (or `assignmentForCore`) for
 * one core only when needed; `computeAssignments` composes them and gives the same map.
 *
 * `checkAssignmentCert` follows `check_assignment_cert` in its order of checks and with its
 * `InvalidAssignmentReason` variants; it returns the claimed tranche (0 for the modulo kinds, the
 * recomputed tranche for a delay cert). It does not check that the claimed cores are leaving cores
 * of the block: import does that.
 *
 * Simplified / departures:
 * - No keystore: the caller hands in our validator index and assignment keypair (the keystore
 *   lookup over `assignment_keys`), and each leaving core's backing-group MEMBERS (the caller
 *   resolves `validator_groups[group]`); the Rust's "no assignment keys / no groups" degenerate
 *   cases are the caller's (no key, no call).
 * - The VRF is an `AssignmentVrf` (vrf.ts): a modelled PRF or real sr25519 over a parapipe
 *   transcript, not byte-compatible with schnorrkel's. The transcripts' labels and SCALE messages
 *   are polkadot's.
 * - v2's sampler (allowed by spec/SEMANTICS.md 5.5.2: "a uniform sample without replacement"):
 *   rand 0.8's `partial_shuffle` algorithm (swap position i = len-1 down to len-amount with a
 *   uniform index in [0, i], return the tail) driven by parapipe's xoshiro128** (`Prng`) seeded
 *   with the first 16 bytes of the VRF output, instead of ChaCha20Rng seeded with all 32 and
 *   rand's bounded-integer method. Same distribution, different cores than polkadot's.
 * - v1 signs after choosing the core (`vrf_sign_extra_after_check`) by evaluating the VRF a second
 *   time with the `"A&V ASSIGNED"` extra transcript, and only for a core not yet taken (polkadot
 *   signs every hit; the loser is dropped by `or_insert`). Results are identical.
 * - `OurAssignment.triggered` is not part of the value: the approval entry (the caller) tracks it.
 * - Note: in the newest polkadot-sdk seen (node/primitives/src/approval/mod.rs), the non-compact
 *   `RelayVRFModulo` variant was removed from `AssignmentCertKindV2`; v1 is kept here as
 *   SEMANTICS 5.5.2 describes it (nodes without `EnableAssignmentsV2`).
 *
 * Ref: polkadot/node/core/approval-voting/src/criteria.rs (compute_assignments,
 *      compute_relay_vrf_modulo_assignments_v1/_v2, compute_relay_vrf_delay_assignments,
 *      relay_vrf_modulo_core, relay_vrf_modulo_cores, generate_samples, relay_vrf_delay_tranche,
 *      check_assignment_cert, is_in_backing_group); polkadot/node/primitives/src/approval/mod.rs
 *      (the v1 and v2 contexts); polkadot/node/primitives/src/approval/criteria.rs
 *      (InvalidAssignmentReason).
 */
import { u32 } from "scale-ts";
import { assert } from "../../../lib/assert.ts";
import { bytesEqual } from "../../../lib/hex.ts";
import { Prng } from "../../../lib/prng.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import type { CandidateHash, CoreIndex, ValidatorIndex } from "../../../primitives/codecs.ts";
import type { Keypair } from "../../../primitives/signing.ts";
import { encodeBitVec } from "../../../primitives/statements.ts";
import type { DelayTranche } from "./time.ts";
import { type AssignmentVrf, type Transcript, transcript, type VrfSignature } from "./vrf.ts";

/** `v1::RELAY_VRF_STORY_CONTEXT`: the BABE VRF context the relay VRF story is made with. */
export const RELAY_VRF_STORY_CONTEXT = "A&V RC-VRF";
/** `v1::RELAY_VRF_MODULO_CONTEXT`. */
export const RELAY_VRF_MODULO_CONTEXT = "A&V MOD";
/** `v1::RELAY_VRF_DELAY_CONTEXT`. */
export const RELAY_VRF_DELAY_CONTEXT = "A&V DELAY";
/** `v1::ASSIGNED_CORE_CONTEXT`. */
export const ASSIGNED_CORE_CONTEXT = "A&V ASSIGNED";
/** `v1::CORE_RANDOMNESS_CONTEXT`. */
export const CORE_RANDOMNESS_CONTEXT = "A&V CORE";
/** `v1::TRANCHE_RANDOMNESS_CONTEXT`. */
export const TRANCHE_RANDOMNESS_CONTEXT = "A&V TRANCHE";
/** `v2::RELAY_VRF_MODULO_CONTEXT`. */
export const RELAY_VRF_MODULO_CONTEXT_V2 = "A&V MOD v2";
/** `v2::CORE_RANDOMNESS_CONTEXT`. */
export const CORE_RANDOMNESS_CONTEXT_V2 = "A&V CORE v2";
/** `v2::ASSIGNED_CORE_CONTEXT`. */
export const ASSIGNED_CORE_CONTEXT_V2 = "A&V ASSIGNED v2";
/** `MAX_MODULO_SAMPLES`: a hard upper bound on the cores of one compact assignment. */
export const MAX_MODULO_SAMPLES = 40;
/** `RelayVRFStory` is 32 bytes. */
export const RELAY_VRF_STORY_BYTES = 32;

/** The session parameters the criteria use (criteria.rs `Config` without keys and groups). */
export interface CriteriaConfig {
  /** `n_cores`. */
  readonly nCores: number;
  /** `zeroth_delay_tranche_width`. */
  readonly zerothDelayTrancheWidth: number;
  /** `relay_vrf_modulo_samples`. */
  readonly relayVrfModuloSamples: number;
  /** `n_delay_tranches` (at least 1 on chain: `ZeroDelayTranches`). */
  readonly nDelayTranches: number;
}

/** criteria.rs `Config` as a checker needs it: the criteria and all assignment keys. */
export interface AssignmentConfig extends CriteriaConfig {
  /** `assignment_keys`, by validator index. */
  readonly assignmentKeys: readonly Uint8Array[];
}

/** Our assignment key: what `compute_assignments` finds in the keystore. */
export interface OurAssignmentKey {
  readonly validatorIndex: ValidatorIndex;
  readonly keypair: Keypair;
}

/** A core a candidate was included from in the block (`(candidate_hash, core, backing_group)`). */
export interface LeavingCore {
  readonly candidateHash: CandidateHash;
  readonly coreIndex: CoreIndex;
  /** The members of the candidate's backing group (`validator_groups[backing_group]`). */
  readonly backingGroup: readonly ValidatorIndex[];
}

/** `AssignmentCertKind` (v1) / `AssignmentCertKindV2`. */
export type AssignmentCertKind =
  | { readonly kind: "RelayVRFModulo"; readonly sample: number }
  | {
      readonly kind: "RelayVRFModuloCompact";
      /** `core_bitfield`: the claimed cores, ascending (the bitfield's ones). */
      readonly coreBitfield: readonly CoreIndex[];
    }
  | { readonly kind: "RelayVRFDelay"; readonly coreIndex: CoreIndex };

/** `AssignmentCertV2`: the criterion and the VRF showing it is met. */
export interface AssignmentCert {
  readonly kind: AssignmentCertKind;
  readonly vrf: VrfSignature;
}

/** `OurAssignment` (its `triggered` flag lives with the approval entry; see the header). */
export interface OurAssignment {
  readonly cert: AssignmentCert;
  readonly tranche: DelayTranche;
  readonly validatorIndex: ValidatorIndex;
}

/** `InvalidAssignmentReason` (`NullAssignment` is import's, for a cert claiming nothing). */
export type InvalidAssignmentReason =
  | "ValidatorIndexOutOfBounds"
  | "SampleOutOfBounds"
  | "CoreIndexOutOfBounds"
  | "InvalidAssignmentKey"
  | "IsInBackingGroup"
  | "VRFModuloCoreIndexMismatch"
  | "VRFModuloOutputMismatch"
  | "VRFDelayCoreIndexMismatch"
  | "VRFDelayOutputMismatch"
  | "InvalidArguments"
  | "NullAssignment";

export interface InvalidAssignment {
  readonly code: InvalidAssignmentReason;
}

function assertStory(relayVrfStory: Uint8Array): void {
  assert(
    relayVrfStory.length === RELAY_VRF_STORY_BYTES,
    () => `a relay VRF story is ${RELAY_VRF_STORY_BYTES} bytes, got ${relayVrfStory.length}`,
  );
}

/** `relay_vrf_modulo_transcript_v1`. */
export function relayVrfModuloTranscriptV1(relayVrfStory: Uint8Array, sample: number): Transcript {
  return transcript(
    RELAY_VRF_MODULO_CONTEXT,
    ["RC-VRF", relayVrfStory],
    ["sample", u32.enc(sample)],
  );
}

/** `relay_vrf_modulo_transcript_v2`. */
export function relayVrfModuloTranscriptV2(relayVrfStory: Uint8Array): Transcript {
  return transcript(RELAY_VRF_MODULO_CONTEXT_V2, ["RC-VRF", relayVrfStory]);
}

/** `relay_vrf_delay_transcript`. */
export function relayVrfDelayTranscript(relayVrfStory: Uint8Array, core: CoreIndex): Transcript {
  return transcript(RELAY_VRF_DELAY_CONTEXT, ["RC-VRF", relayVrfStory], ["core", u32.enc(core)]);
}

/** `assigned_core_transcript`: the extra a v1 modulo cert signs. */
export function assignedCoreTranscript(core: CoreIndex): Transcript {
  return transcript(ASSIGNED_CORE_CONTEXT, ["core", u32.enc(core)]);
}

/** `assigned_cores_transcript`: the extra a compact cert signs, `cores = SCALE(CoreBitfield)`. */
export function assignedCoresTranscript(coreBitfield: readonly CoreIndex[]): Transcript {
  return transcript(ASSIGNED_CORE_CONTEXT_V2, ["cores", encodeCoreBitfield(coreBitfield)]);
}

/** SCALE of a `CoreBitfield` built from core indices: `BitVec<u8, Lsb0>` of length max + 1. */
export function encodeCoreBitfield(cores: readonly CoreIndex[]): Uint8Array {
  const bits: boolean[] = [];
  for (const c of cores) {
    while (bits.length <= c) bits.push(false);
    bits[c] = true;
  }
  return encodeBitVec(bits);
}

/** The first four bytes of a VRF output as a little-endian u32 (`make_bytes::<[u8; 4]>`). */
function u32le(output: Uint8Array): number {
  assert(output.length >= 4, () => `a VRF output has at least 4 bytes, got ${output.length}`);
  return (output[0]! | (output[1]! << 8) | (output[2]! << 16) | (output[3]! << 24)) >>> 0;
}

/** `relay_vrf_modulo_core`: `u32le(make_bytes("A&V CORE")) % n_cores`. */
export function relayVrfModuloCore(output: Uint8Array, nCores: number): CoreIndex {
  assert(nCores > 0, "relay_vrf_modulo_core with n_cores = 0");
  return u32le(output) % nCores;
}

/** `relay_vrf_delay_tranche`: `sat_sub(u32le % (n_delay + zeroth), zeroth)`. */
export function relayVrfDelayTranche(
  output: Uint8Array,
  nDelayTranches: number,
  zerothDelayTrancheWidth: number,
): DelayTranche {
  const width = nDelayTranches + zerothDelayTrancheWidth;
  // Rust divides by zero here (a panic); the runtime refuses `n_delay_tranches = 0`.
  assert(width > 0, "relay_vrf_delay_tranche with n_delay_tranches + zeroth width = 0");
  return Math.max(0, (u32le(output) % width) - zerothDelayTrancheWidth);
}

/** The sampler's generator, seeded from a compact VRF output (see the header). */
function samplerFromOutput(output: Uint8Array): Prng {
  assert(output.length >= 16, () => `a VRF output has at least 16 bytes, got ${output.length}`);
  const word = (i: number): number => u32le(output.subarray(4 * i, 4 * i + 4));
  return Prng.fromState([word(0), word(1), word(2), word(3)]);
}

/**
 * `generate_samples`: `min(MAX_MODULO_SAMPLES, min(num_samples, max_cores))` distinct cores of
 * `[0, max_cores)`, by rand 0.8's `partial_shuffle` algorithm on parapipe's generator.
 */
export function generateSamples(rng: Prng, numSamples: number, maxCores: number): CoreIndex[] {
  const amount = Math.min(MAX_MODULO_SAMPLES, Math.min(numSamples, maxCores));
  const cores = Array.from({ length: maxCores }, (_, i) => i);
  const end = amount >= maxCores ? 0 : maxCores - amount;
  for (let i = maxCores - 1; i >= end; i--) {
    const j = rng.int(i + 1);
    const tmp = cores[i]!;
    cores[i] = cores[j]!;
    cores[j] = tmp;
  }
  return cores.slice(end);
}

/** `relay_vrf_modulo_cores`: the cores a compact VRF output assigns us to in tranche 0. */
export function relayVrfModuloCores(
  output: Uint8Array,
  numSamples: number,
  maxCores: number,
): CoreIndex[] {
  return generateSamples(samplerFromOutput(output), numSamples, maxCores);
}

/** `is_in_backing_group`, on the group's members. */
export function isInBackingGroup(
  backingGroup: readonly ValidatorIndex[],
  validator: ValidatorIndex,
): boolean {
  return backingGroup.includes(validator);
}

/** The leaving cores whose backing group does not contain us ("Ignore any cores where ..."). */
function assignableCores(
  validatorIndex: ValidatorIndex,
  leavingCores: readonly LeavingCore[],
): LeavingCore[] {
  return leavingCores.filter((c) => !isInBackingGroup(c.backingGroup, validatorIndex));
}

/** `compute_relay_vrf_modulo_assignments_v1`. */
function computeRelayVrfModuloAssignmentsV1(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  config: CriteriaConfig,
  relayVrfStory: Uint8Array,
  leavingCores: readonly LeavingCore[],
  assignments: Map<CoreIndex, OurAssignment>,
): void {
  for (let sample = 0; sample < config.relayVrfModuloSamples; sample++) {
    const t = relayVrfModuloTranscriptV1(relayVrfStory, sample);
    // The output first (`vrf_sign_extra_after_check`): the proof only for a core that is hit.
    const output = vrf.output(key.keypair, t, CORE_RANDOMNESS_CONTEXT);
    const core = relayVrfModuloCore(output, config.nCores);
    if (!leavingCores.some((c) => c.coreIndex === core)) continue;
    // `or_insert`: the first sample to hit a core keeps it (see the header for why we skip).
    if (assignments.has(core)) continue;
    const signed = vrf.evaluate(
      key.keypair,
      t,
      CORE_RANDOMNESS_CONTEXT,
      assignedCoreTranscript(core),
    );
    assert(bytesEqual(signed.output, output), "a VRF's extra transcript changed its output");
    assignments.set(core, {
      cert: { kind: { kind: "RelayVRFModulo", sample }, vrf: signed },
      tranche: 0,
      validatorIndex: key.validatorIndex,
    });
  }
}

/** `compute_relay_vrf_modulo_assignments_v2`. */
function computeRelayVrfModuloAssignmentsV2(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  config: CriteriaConfig,
  relayVrfStory: Uint8Array,
  leavingCores: readonly LeavingCore[],
  assignments: Map<CoreIndex, OurAssignment>,
): void {
  const t = relayVrfModuloTranscriptV2(relayVrfStory);
  const output = vrf.output(key.keypair, t, CORE_RANDOMNESS_CONTEXT_V2);
  const assignedCores = relayVrfModuloCores(
    output,
    config.relayVrfModuloSamples,
    config.nCores,
  ).filter((core) => leavingCores.some((c) => c.coreIndex === core));
  if (assignedCores.length === 0) return;
  const coreBitfield = [...assignedCores].sort((a, b) => a - b);
  const signed = vrf.evaluate(
    key.keypair,
    t,
    CORE_RANDOMNESS_CONTEXT_V2,
    assignedCoresTranscript(coreBitfield),
  );
  assert(bytesEqual(signed.output, output), "a VRF's extra transcript changed its output");
  // All assignments of type RelayVRFModulo have tranche 0.
  const assignment: OurAssignment = {
    cert: { kind: { kind: "RelayVRFModuloCompact", coreBitfield }, vrf: signed },
    tranche: 0,
    validatorIndex: key.validatorIndex,
  };
  for (const core of assignedCores) assignments.set(core, assignment);
}

/**
 * Our `RelayVRFDelay` assignment for one core (one iteration of
 * `compute_relay_vrf_delay_assignments`). The caller has excluded cores we backed.
 */
export function delayAssignment(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  relayVrfStory: Uint8Array,
  config: CriteriaConfig,
  core: CoreIndex,
): OurAssignment {
  assertStory(relayVrfStory);
  const signed = vrf.evaluate(
    key.keypair,
    relayVrfDelayTranscript(relayVrfStory, core),
    TRANCHE_RANDOMNESS_CONTEXT,
  );
  return {
    cert: { kind: { kind: "RelayVRFDelay", coreIndex: core }, vrf: signed },
    tranche: relayVrfDelayTranche(
      signed.output,
      config.nDelayTranches,
      config.zerothDelayTrancheWidth,
    ),
    validatorIndex: key.validatorIndex,
  };
}

/**
 * The tranche of our `RelayVRFDelay` assignment for one core, from the VRF output alone: what
 * `delayAssignment(...).tranche` is, without computing the proof (which the certificate needs
 * only when the assignment is triggered).
 */
export function delayTranche(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  relayVrfStory: Uint8Array,
  config: CriteriaConfig,
  core: CoreIndex,
): DelayTranche {
  assertStory(relayVrfStory);
  const output = vrf.output(
    key.keypair,
    relayVrfDelayTranscript(relayVrfStory, core),
    TRANCHE_RANDOMNESS_CONTEXT,
  );
  return relayVrfDelayTranche(output, config.nDelayTranches, config.zerothDelayTrancheWidth);
}

/**
 * The modulo part of `compute_assignments` (steps 1-3 of the header): our tranche-0 assignments,
 * by core. Compute it once per validator and relay block.
 */
export function moduloAssignments(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  relayVrfStory: Uint8Array,
  config: CriteriaConfig,
  leavingCores: readonly LeavingCore[],
  enableV2Assignments: boolean,
): Map<CoreIndex, OurAssignment> {
  assertStory(relayVrfStory);
  const assignments = new Map<CoreIndex, OurAssignment>();
  if (config.nCores === 0) return assignments;
  const cores = assignableCores(key.validatorIndex, leavingCores);
  if (enableV2Assignments) {
    computeRelayVrfModuloAssignmentsV2(vrf, key, config, relayVrfStory, cores, assignments);
  } else {
    computeRelayVrfModuloAssignmentsV1(vrf, key, config, relayVrfStory, cores, assignments);
  }
  return assignments;
}

/**
 * Our assignment for one leaving core, lazily: what `computeAssignments(...).get(core)` gives,
 * evaluating the delay VRF only when the modulo part (from `moduloAssignments`) has no entry.
 * Null when `n_cores == 0` or we are in the core's backing group.
 */
export function assignmentForCore(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  relayVrfStory: Uint8Array,
  config: CriteriaConfig,
  modulo: ReadonlyMap<CoreIndex, OurAssignment>,
  leavingCore: LeavingCore,
): OurAssignment | null {
  if (config.nCores === 0) return null;
  if (isInBackingGroup(leavingCore.backingGroup, key.validatorIndex)) return null;
  // A modulo assignment is tranche 0: a delay tranche is never strictly smaller.
  return (
    modulo.get(leavingCore.coreIndex) ??
    delayAssignment(vrf, key, relayVrfStory, config, leavingCore.coreIndex)
  );
}

/**
 * `compute_assignments`: our assignments for a relay block, by core; for each core the earliest
 * (see the header). Equal to `moduloAssignments` completed with `delayAssignment` for every
 * assignable core it lacks.
 */
export function computeAssignments(
  vrf: AssignmentVrf,
  key: OurAssignmentKey,
  relayVrfStory: Uint8Array,
  config: CriteriaConfig,
  leavingCores: readonly LeavingCore[],
  enableV2Assignments: boolean,
): Map<CoreIndex, OurAssignment> {
  // First the modulo part, then `RelayVRFDelay` for every assignable core.
  const assignments = moduloAssignments(
    vrf,
    key,
    relayVrfStory,
    config,
    leavingCores,
    enableV2Assignments,
  );
  if (config.nCores === 0) return assignments;
  for (const { coreIndex } of assignableCores(key.validatorIndex, leavingCores)) {
    const ours = delayAssignment(vrf, key, relayVrfStory, config, coreIndex);
    const existing = assignments.get(coreIndex);
    if (existing === undefined || existing.tranche > ours.tranche) {
      assignments.set(coreIndex, ours);
    }
  }
  return assignments;
}

/** A bitfield's ones, ascending (duplicates collapse, as they do in a bitfield). */
function bitfieldOnes(cores: readonly CoreIndex[]): CoreIndex[] {
  return [...new Set(cores)].sort((a, b) => a - b);
}

function sameBitfield(a: readonly CoreIndex[], b: readonly CoreIndex[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * `check_assignment_cert`: the tranche `assignment` claims for `claimedCoreIndices` by validator
 * `validatorIndex`, or why it is invalid. `backingGroups[i]` holds the members of the backing group
 * of the i-th claimed core in ascending core order (the Rust zips `iter_ones()` with them).
 */
export function checkAssignmentCert(
  vrf: AssignmentVrf,
  claimedCoreIndices: readonly CoreIndex[],
  validatorIndex: ValidatorIndex,
  config: AssignmentConfig,
  relayVrfStory: Uint8Array,
  assignment: AssignmentCert,
  backingGroups: readonly (readonly ValidatorIndex[])[],
): Result<DelayTranche, InvalidAssignment> {
  assertStory(relayVrfStory);
  const claimed = bitfieldOnes(claimedCoreIndices);

  const validatorPublic = config.assignmentKeys[validatorIndex];
  if (validatorPublic === undefined) return err({ code: "ValidatorIndexOutOfBounds" });
  if (!vrf.isPublicKey(validatorPublic)) return err({ code: "InvalidAssignmentKey" });

  // Check that we have all backing groups for claimed cores.
  if (claimed.length === 0 || claimed.length !== backingGroups.length) {
    return err({ code: "InvalidArguments" });
  }

  // Check that the validator was not part of the backing group.
  for (let i = 0; i < claimed.length; i++) {
    if (claimed[i]! >= config.nCores) return err({ code: "CoreIndexOutOfBounds" });
    if (isInBackingGroup(backingGroups[i]!, validatorIndex)) {
      return err({ code: "IsInBackingGroup" });
    }
  }

  const { output, proof } = assignment.vrf;
  const firstClaimedCoreIndex = claimed[0]!;
  const kind = assignment.kind;
  switch (kind.kind) {
    case "RelayVRFModuloCompact": {
      // Check that the claimed core bitfield matches the one from the certificate.
      const coreBitfield = bitfieldOnes(kind.coreBitfield);
      if (!sameBitfield(claimed, coreBitfield)) return err({ code: "VRFModuloCoreIndexMismatch" });
      const verified = vrf.verify(
        validatorPublic,
        relayVrfModuloTranscriptV2(relayVrfStory),
        CORE_RANDOMNESS_CONTEXT_V2,
        output,
        proof,
        assignedCoresTranscript(coreBitfield),
      );
      if (!verified) return err({ code: "VRFModuloOutputMismatch" });
      const resultingCores = relayVrfModuloCores(
        output,
        config.relayVrfModuloSamples,
        config.nCores,
      );
      // Ensure that the VRF output actually includes all of the claimed cores.
      for (const core of claimed) {
        if (!resultingCores.includes(core)) return err({ code: "VRFModuloCoreIndexMismatch" });
      }
      return ok(0);
    }
    case "RelayVRFModulo": {
      if (kind.sample >= config.relayVrfModuloSamples) return err({ code: "SampleOutOfBounds" });
      // Enforce claimed candidates is 1.
      if (claimed.length !== 1) return err({ code: "InvalidArguments" });
      const verified = vrf.verify(
        validatorPublic,
        relayVrfModuloTranscriptV1(relayVrfStory, kind.sample),
        CORE_RANDOMNESS_CONTEXT,
        output,
        proof,
        assignedCoreTranscript(firstClaimedCoreIndex),
      );
      if (!verified) return err({ code: "VRFModuloOutputMismatch" });
      // Ensure that the VRF output actually gives us the claimed core.
      if (relayVrfModuloCore(output, config.nCores) !== firstClaimedCoreIndex) {
        return err({ code: "VRFModuloCoreIndexMismatch" });
      }
      return ok(0);
    }
    case "RelayVRFDelay": {
      // Enforce claimed candidates is 1.
      if (claimed.length !== 1) return err({ code: "InvalidArguments" });
      if (kind.coreIndex !== firstClaimedCoreIndex) {
        return err({ code: "VRFDelayCoreIndexMismatch" });
      }
      const verified = vrf.verify(
        validatorPublic,
        relayVrfDelayTranscript(relayVrfStory, kind.coreIndex),
        TRANCHE_RANDOMNESS_CONTEXT,
        output,
        proof,
      );
      if (!verified) return err({ code: "VRFDelayOutputMismatch" });
      return ok(
        relayVrfDelayTranche(output, config.nDelayTranches, config.zerothDelayTrancheWidth),
      );
    }
  }
}
