/**
 * Candidate backing (with the parts of statement distribution the simulation needs): seconds
 * collations the collator protocol fetched, validates candidates other members of the group
 * seconded, keeps one statement table per relay parent, and makes backed candidates known to
 * every validator so that any block author can put them on chain.
 *
 * Per relay parent in the implicit view (`construct_per_relay_parent_state`): the backing groups
 * per core (cores present in the claim queue, `group_for_core` with the rotation info of the
 * block, i.e. the group assigned at `number + 1`), my `assignedCore`, a table with
 * `allow_multiple_seconded = true` (async backing), `issuedStatements`, `awaitingValidation`,
 * `fallbacks` (other backers to fetch the PoV from), `backed`.
 *
 * Flows (polkadot-sdk behaviour, names as in lib.rs):
 * - `second` (collator protocol's `CandidateBackingMessage::Second`): ignored unless the PVD
 *   matches the descriptor, the relay parent is in view and the para is in my core's claim queue
 *   (any depth). Validation -> on success the available data is stored, then the seconding sanity
 *   check (hypothetical membership of the Complete candidate in the chain of every active leaf
 *   whose implicit view allows the relay parent for the para), then Seconded is signed
 *   (`SigningContext{session_index_for_child(rp), rp}`), imported (a fresh Seconded is first
 *   introduced to prospective parachains; false -> `RejectedByProspectiveParachains`), shared with
 *   the other members of my group, and the collator protocol is told (`CollationSeconded`).
 * - A `Statement` from a peer: its signature is checked (CPU charged), it is imported (same
 *   introduction rule), and if it is about my core: a Seconded starts validation with the PoV
 *   fetched from that backer (`PovFetchRequest`, timeout 1.2 s, next backer on failure), a Valid
 *   records another backer to fetch from. A valid result is signed as `Valid` and shared.
 * - Validation (candidate-validation): basic checks (PoV size <= max, PoV hash, PVD hash), then
 *   `pvf.execute` on the `pvf` CPU pool. The candidate times out iff its execution CPU time is
 *   strictly greater than `executorTimeouts().backingMs`; the worker is then busy for the timeout,
 *   not longer. Outputs must match the receipt (head hash = descriptor para head, commitments
 *   hash, UMP signals / core index checked against the claim queue at the relay parent).
 * - When the table first finds a candidate attested (`votes >= min(group size,
 *   minimum_backing_votes)`): `CandidateBacked` to prospective parachains, the collator protocol
 *   is told (`Backed{para, para_head}`), and the candidate is announced (receipt, PVD, statements)
 *   to every validator outside the backing group (statement distribution v2's manifests and
 *   `AttestedCandidate` requests collapsed into one message; sent with `env.multicast` when the
 *   environment has it, whose copies arrive in 1 ms buckets). A receiver checks the signatures
 *   (CPU charged) and imports the statements like any other, so its own table attests the
 *   candidate and its prospective parachains marks it backed; its provisioner then asks the table
 *   (`GetBackableCandidates`) like Polkadot's does.
 * - With lazily materialised gossip (`env.announcementGossip`, the simulator's), only the groups of
 *   the para's other cores get ordinary copies; every other receiver's copy is taken in by
 *   `syncAnnouncements` just before the node reads or changes what it knows of the para
 *   (prospective parachains calls it first), in the order the checks would have finished, so
 *   what the node acts on is what it would have had by then. The checks of those copies are a
 *   modelled delay (`verifyCostUs` per statement after delivery), not charged to `main`.
 * - `getBackableCandidates`: per para, the `BackedCandidate`s in the given order, stopping at the
 *   first whose relay parent is out of view or which is not attested. Votes are ordered by
 *   position in the group; with `ElasticScalingMVP` 8 core-index bits are appended, LSB first.
 *
 * Simplifications, stated honestly:
 * - Only validators that SECONDED a candidate announce it (one announcement per seconder instead
 *   of a grid gossip; the first seconder always sees the candidate attested after its own
 *   Seconded, so every backed candidate is announced at least once).
 * - Disabled validators, misbehaviour reports to the provisioner and disputes are not modelled
 *   (misbehaviour is detected by the table and logged).
 * - The erasure root is not computed, so "InvalidErasureRoot" cannot happen (availability issue).
 * - Signing costs no modelled CPU; checking a signature costs `verifyCostUs` on `main`.
 * - `second` reports to the collator protocol when it will not second a collation (not in
 *   Polkadot, where the old collator protocol waits); it keeps the modelled fetch pipeline moving.
 *
 * Ref: polkadot/node/core/backing/src/lib.rs (handle_second_message, maybe_validate_and_import,
 *      import_statement, post_import_statement_actions, sign_import_and_distribute_statement,
 *      handle_validated_candidate_command, seconding_sanity_check, handle_can_second_request,
 *      core_index_from_statement, table_attested_to_backed,
 *      handle_get_backable_candidates_message), polkadot/node/core/candidate-validation
 *      (perform_basic_checks, timeouts), polkadot/primitives (BackedCandidate::new with
 *      inject_core_index).
 */

import type {
  ActorLog,
  AnnouncementDelivery,
  BackedCandidateMessage,
  Cancellable,
  ValidatorEnv,
} from "../../../actors/env.ts";
import type {
  ActorId,
  FullStatement,
  PoV,
  ProtocolMessage,
  SignedStatement,
} from "../../../actors/protocol.ts";
import type { HypotheticalCandidate } from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { bytesEqual } from "../../../lib/hex.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import {
  candidateHash as candidateHashOf,
  commitmentsHash,
  pvdHash,
} from "../../../primitives/candidate.ts";
import type {
  CandidateHash,
  CommittedCandidateReceipt,
  CoreIndex,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../../../primitives/codecs.ts";
import { parseUmpSignals } from "../../../primitives/core-selection.ts";
import { hashHex } from "../../../primitives/hashing.ts";
import type { BackedCandidate } from "../../../primitives/inherent.ts";
import { commitmentsOf, type ValidationResult } from "../../../primitives/pvf.ts";
import {
  statementSigningPayload,
  type ValidityAttestation,
} from "../../../primitives/statements.ts";
import type { AvailabilityStore } from "../../network/availability-distribution/availability.ts";
import type { ImplicitView } from "../../util/backing-implicit-view.ts";
import { BlockContext } from "../../util/block-context.ts";
import type { SignatureChecks } from "../../util/signature-checks.ts";
import type { ProspectiveParachains } from "../prospective-parachains/subsystem.ts";
import {
  type AttestedCandidate,
  type SignedTableStatement,
  type Summary,
  Table,
  type TableContext,
} from "./statement-table.ts";

/** `POV_REQUEST_TIMEOUT_CONNECTED`, µs. */
export const POV_REQUEST_TIMEOUT_US = 1_200_000;

type BackingTable = Table<
  CommittedCandidateReceipt,
  CandidateHash,
  ValidatorIndex,
  CoreIndex,
  Uint8Array
>;
type BackingAttested = AttestedCandidate<
  CoreIndex,
  CommittedCandidateReceipt,
  ValidatorIndex,
  Uint8Array
>;

/** What the collator protocol (and the world) learn from backing. */
export interface BackingEvents {
  /** We seconded a collation: tell the collator (`CollatorProtocolMessage::Seconded`). */
  collationSeconded(relayParent: Hash, candidateHash: CandidateHash): void;
  /** We will not second this collation (`Invalid`, rejected, or not allowed). */
  collationNotSeconded(relayParent: Hash, candidateHash: CandidateHash, invalid: boolean): void;
  /** A candidate became backed in our view (`CollatorProtocolMessage::Backed`). */
  candidateBacked(paraId: ParaId, paraHead: Hash, candidateHash: CandidateHash): void;
}

/** Why validation rejected a candidate (`InvalidCandidate` variants). */
export type InvalidReason =
  | "ParamsTooLarge"
  | "PoVHashMismatch"
  | "PersistedValidationDataMismatch"
  | "Timeout"
  | "ExecutionError"
  | "ParaHeadHashMismatch"
  | "CommitmentsHashMismatch"
  | "InvalidUMPSignals";

type ValidationOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: InvalidReason; readonly detail?: string };

type CommandKind = "Second" | "Attest";

interface AttestingData {
  readonly receipt: CommittedCandidateReceipt;
  readonly candidateHash: CandidateHash;
  fromValidator: ValidatorIndex;
  /** Other backers to fetch the PoV from, tried last-in first. */
  readonly backing: ValidatorIndex[];
}

interface PerCandidateState {
  readonly pvd: PersistedValidationData;
  readonly relayParent: Hash;
  secondedLocally: boolean;
}

interface PerRelayParentState {
  readonly ctx: BlockContext;
  readonly assignedCore: CoreIndex | null;
  readonly table: BackingTable;
  readonly tableContext: TableContext<ValidatorIndex, CoreIndex>;
  readonly backed: Set<CandidateHash>;
  readonly issuedStatements: Set<CandidateHash>;
  readonly awaitingValidation: Set<CandidateHash>;
  readonly fallbacks: Map<CandidateHash, AttestingData>;
  /** The signed statements imported, per candidate, in import order (for announcements). */
  readonly statements: Map<CandidateHash, SignedStatement[]>;
  /** Candidates I signed a Seconded for. */
  readonly secondedByMe: Set<CandidateHash>;
  /** When this state was created (copies delivered earlier would have been dropped), µs. */
  readonly createdAtUs: number;
  /** Lazily gossiped announcements already taken in (`syncAnnouncements`), by id. */
  readonly announcementsTaken: Set<number>;
}

interface PendingPovFetch {
  readonly relayParent: Hash;
  readonly from: ActorId;
  readonly timer: Cancellable;
  readonly then: (pov: PoV | null) => void;
}

const tableContexts = new WeakMap<BlockContext, TableContext<ValidatorIndex, CoreIndex>>();
const payloadMemo = new WeakMap<
  SignedStatement,
  { readonly parent: Hash; readonly payload: Uint8Array }
>();

/** The signing payload of a received statement at `ctx`, memoised per statement object. */
function statementPayload(s: SignedStatement, ctx: BlockContext): Uint8Array {
  const memo = payloadMemo.get(s);
  if (memo !== undefined && memo.parent === ctx.hash) return memo.payload;
  const payload = statementSigningPayload(
    { kind: s.statement.kind, candidateHash: s.statement.candidateHash },
    ctx.signingContext,
  );
  payloadMemo.set(s, { parent: ctx.hash, payload });
  return payload;
}

/** A known signer and, for a Seconded, a receipt of this relay parent hashing to its hash. */
function wellFormed(ctx: BlockContext, s: SignedStatement): boolean {
  if (ctx.validatorKeys[s.validatorIndex] === undefined) return false;
  if (s.statement.kind !== "Seconded") return true;
  return (
    s.statement.receipt.descriptor.relayParent === ctx.hash &&
    candidateHashOf(s.statement.receipt) === s.statement.candidateHash
  );
}

const announcedMemo = new WeakMap<
  BackedCandidateMessage,
  { readonly ctx: BlockContext; readonly statements: readonly SignedStatement[] }
>();

/**
 * The statements of an announcement a receiver imports: those about its candidate and well
 * formed at `ctx`, Seconded first (a Valid for a candidate unknown to the table is ignored).
 * A pure function of the message and the block context, so memoised per message object: every
 * receiver of one announcement shares the list.
 */
function announcedStatements(
  msg: BackedCandidateMessage,
  ctx: BlockContext,
): readonly SignedStatement[] {
  const memo = announcedMemo.get(msg);
  if (memo !== undefined && memo.ctx === ctx) return memo.statements;
  const statements = msg.statements.filter(
    (s) => s.statement.candidateHash === msg.candidateHash && wellFormed(ctx, s),
  );
  statements.sort(
    (a, b) => (a.statement.kind === "Seconded" ? 0 : 1) - (b.statement.kind === "Seconded" ? 0 : 1),
  );
  announcedMemo.set(msg, { ctx, statements });
  return statements;
}

function tableContextOf(ctx: BlockContext): TableContext<ValidatorIndex, CoreIndex> {
  return getOrInsertComputed(tableContexts, ctx, () => {
    const groups = ctx.backingGroups;
    return {
      isMemberOf: (a, core) => groups.get(core)?.includes(a) ?? false,
      getGroupSize: (core) => groups.get(core)?.length,
    };
  });
}

function toTableStatement(
  s: SignedStatement,
): SignedTableStatement<CommittedCandidateReceipt, CandidateHash, ValidatorIndex, Uint8Array> {
  return {
    statement:
      s.statement.kind === "Seconded"
        ? { kind: "Seconded", candidate: s.statement.receipt }
        : { kind: "Valid", digest: s.statement.candidateHash },
    signature: s.signature,
    sender: s.validatorIndex,
  };
}

/** `BackedCandidate::new(candidate, votes, validator_indices, inject_core_index.then_some(core))`. */
export function tableAttestedToBacked(
  attested: BackingAttested,
  group: readonly ValidatorIndex[],
  injectCoreIndex: boolean,
): BackedCandidate | null {
  const validatorIndices: boolean[] = new Array<boolean>(group.length).fill(false);
  const positioned: [number, ValidityAttestation][] = [];
  for (const [v, vote] of attested.validityVotes) {
    const position = group.indexOf(v);
    if (position === -1) return null; // "Validity vote from table does not correspond to group"
    validatorIndices[position] = true;
    positioned.push([position, vote]);
  }
  positioned.sort((a, b) => a[0] - b[0]);
  if (injectCoreIndex) {
    for (let bit = 0; bit < 8; bit++) validatorIndices.push(((attested.groupId >> bit) & 1) === 1);
  }
  return {
    candidate: attested.candidate,
    validityVotes: positioned.map(([, vote]) => vote),
    validatorIndices,
  };
}

export class CandidateBacking {
  private readonly perRelayParent = new Map<Hash, PerRelayParentState>();
  private readonly perCandidate = new Map<CandidateHash, PerCandidateState>();
  private readonly povFetches = new Map<CandidateHash, PendingPovFetch>();
  private events: BackingEvents | null = null;
  /** `syncAnnouncements` is running (it imports, and imports ask for a sync). */
  private syncing = false;

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly prospective: ProspectiveParachains,
    private readonly view: ImplicitView,
    private readonly store: AvailabilityStore,
    private readonly signatures: SignatureChecks,
  ) {}

  setEvents(events: BackingEvents): void {
    this.events = events;
  }

  // ---------------------------------------------------------------------------------------------
  // Active leaves

  /**
   * After the implicit view moved: drop the state of relay parents that left it (and of their
   * candidates), create it for the new ones (`freshRelayParents`).
   */
  activeLeavesUpdate(freshRelayParents: readonly Hash[]): void {
    const remaining = this.view.allAllowedRelayParents();
    // (Deleting the current entry while iterating a Map is well defined: no copies needed.)
    for (const rp of this.perRelayParent.keys()) {
      if (!remaining.has(rp)) this.perRelayParent.delete(rp);
    }
    for (const [hash, pc] of this.perCandidate) {
      if (!this.perRelayParent.has(pc.relayParent)) this.perCandidate.delete(hash);
    }
    for (const [hash, fetch] of this.povFetches) {
      if (this.perRelayParent.has(fetch.relayParent)) continue;
      fetch.timer.cancel();
      this.povFetches.delete(hash);
    }
    for (const rp of freshRelayParents) {
      if (this.perRelayParent.has(rp)) continue;
      const api = this.env.relayChain.api(rp);
      if (api === null) continue;
      const ctx = BlockContext.of(api);
      this.perRelayParent.set(rp, {
        ctx,
        assignedCore: ctx.assignedCore(this.env.validatorIndex),
        table: new Table(
          { allowMultipleSeconded: true },
          candidateHashOf,
          (a: Uint8Array, b: Uint8Array) => bytesEqual(a, b),
        ),
        tableContext: tableContextOf(ctx),
        backed: new Set(),
        issuedStatements: new Set(),
        awaitingValidation: new Set(),
        fallbacks: new Map(),
        statements: new Map(),
        secondedByMe: new Set(),
        createdAtUs: this.env.now(),
        announcementsTaken: new Set(),
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Seconding (from the collator protocol)

  /**
   * `CandidateBackingMessage::Second`. Returns whether a validation with intent to second was
   * started; when not, nothing more will be reported about this collation.
   */
  second(receipt: CommittedCandidateReceipt, pvd: PersistedValidationData, pov: PoV): boolean {
    const candidateHash = candidateHashOf(receipt);
    const relayParent = receipt.descriptor.relayParent;
    if (pvdHash(pvd) !== receipt.descriptor.persistedValidationDataHash) {
      this.log.warn("Candidate backing was asked to second candidate with wrong PVD", {
        candidateHash,
      });
      return false;
    }
    const rp = this.perRelayParent.get(relayParent);
    if (rp === undefined) {
      this.log.trace("We were asked to second a candidate outside of our view.", {
        relayParent,
        candidateHash,
      });
      return false;
    }
    const paras = rp.assignedCore === null ? [] : rp.ctx.claimsForCore(rp.assignedCore);
    if (!paras.includes(receipt.descriptor.paraId)) {
      this.log.debug("Subsystem asked to second for para outside of our assignment", {
        assignedCore: rp.assignedCore,
        paraId: receipt.descriptor.paraId,
      });
      return false;
    }
    if (rp.issuedStatements.has(candidateHash)) return false;
    return this.backgroundValidate(
      rp,
      receipt,
      candidateHash,
      pvd,
      { kind: "Ready", pov },
      "Second",
    );
  }

  /** `CanSecond`: could a candidate with these properties be seconded (Incomplete hypothetical)? */
  canSecond(request: {
    readonly candidateParaId: ParaId;
    readonly candidateRelayParent: Hash;
    readonly candidateHash: CandidateHash;
    readonly parentHeadDataHash: Hash;
  }): boolean {
    if (!this.perRelayParent.has(request.candidateRelayParent)) return false;
    const leaves = this.secondingSanityCheck(
      {
        kind: "Incomplete",
        candidateHash: request.candidateHash,
        candidatePara: request.candidateParaId,
        parentHeadDataHash: request.parentHeadDataHash,
        candidateRelayParent: request.candidateRelayParent,
      },
      request.candidateParaId,
      request.candidateRelayParent,
    );
    return leaves.length > 0;
  }

  /**
   * `seconding_sanity_check`: the active leaves whose implicit view allows the candidate's relay
   * parent for its para and whose fragment chain could take the candidate.
   */
  private secondingSanityCheck(
    candidate: HypotheticalCandidate,
    para: ParaId,
    relayParent: Hash,
  ): Hash[] {
    const leaves: Hash[] = [];
    for (const leaf of this.view.activeLeaves()) {
      const allowed = this.view.knownAllowedRelayParentsUnder(leaf, para);
      if (allowed === null || !allowed.includes(relayParent)) continue;
      const membership = this.prospective.getHypotheticalMembership([candidate], leaf)[0];
      if (membership?.includes(leaf)) leaves.push(leaf);
      else if (this.log.enabled("debug")) {
        this.log.debug("Refusing to second candidate at leaf. Is not a potential member.", {
          candidateHash: candidate.candidateHash,
          leaf,
        });
      }
    }
    return leaves;
  }

  // ---------------------------------------------------------------------------------------------
  // Validation

  /** `background_validate_and_make_available`: false if nothing was started. */
  private backgroundValidate(
    rp: PerRelayParentState,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    pov: { readonly kind: "Ready"; readonly pov: PoV } | { readonly kind: "Fetch"; from: number },
    kind: CommandKind,
  ): boolean {
    if (rp.assignedCore === null) return false;
    if (rp.awaitingValidation.has(candidateHash)) return false;
    rp.awaitingValidation.add(candidateHash);
    const relayParent = rp.ctx.hash;
    if (pov.kind === "Ready") {
      this.validate(rp, receipt, candidateHash, pvd, pov.pov, kind);
    } else {
      this.requestPov(relayParent, candidateHash, pov.from, (fetched) => {
        const current = this.perRelayParent.get(relayParent);
        if (current === undefined) return; // relay parent left the view
        if (fetched === null || fetched.hash !== receipt.descriptor.povHash) {
          this.attestNoPov(current, candidateHash);
          return;
        }
        this.validate(current, receipt, candidateHash, pvd, fetched, kind);
      });
    }
    return true;
  }

  /** `FetchPoV` from a backer (availability distribution's PoV requester). */
  private requestPov(
    relayParent: Hash,
    candidateHash: CandidateHash,
    fromValidator: ValidatorIndex,
    then: (pov: PoV | null) => void,
  ): void {
    const to = this.env.validatorActors[fromValidator];
    if (to === undefined) {
      this.env.after(0, () => then(null));
      return;
    }
    this.povFetches.get(candidateHash)?.timer.cancel();
    const timer = this.env.after(POV_REQUEST_TIMEOUT_US, () => {
      if (this.povFetches.get(candidateHash)?.timer !== timer) return;
      this.povFetches.delete(candidateHash);
      then(null);
    });
    this.povFetches.set(candidateHash, { relayParent, from: to, timer, then });
    this.env.send(to, { type: "PovFetchRequest", relayParent, candidateHash });
  }

  onPovFetchResponse(from: ActorId, msg: Extract<ProtocolMessage, { type: "PovFetchResponse" }>) {
    const pending = this.povFetches.get(msg.candidateHash);
    if (pending === undefined || pending.from !== from) return;
    pending.timer.cancel();
    this.povFetches.delete(msg.candidateHash);
    pending.then(msg.pov);
  }

  /** Candidate validation: basic checks, PVF execution on the `pvf` pool, output checks. */
  private validate(
    rp: PerRelayParentState,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    pov: PoV,
    kind: CommandKind,
  ): void {
    const relayParent = rp.ctx.hash;
    const d = receipt.descriptor;
    const basic: InvalidReason | null =
      pov.sizeBytes > pvd.maxPovSize
        ? "ParamsTooLarge"
        : pov.hash !== d.povHash
          ? "PoVHashMismatch"
          : pvdHash(pvd) !== d.persistedValidationDataHash
            ? "PersistedValidationDataMismatch"
            : null;
    if (basic !== null) {
      // Rejected before execution: no worker time.
      this.env.after(0, () =>
        this.handleValidated(relayParent, kind, receipt, candidateHash, pvd, {
          ok: false,
          reason: basic,
        }),
      );
      return;
    }
    const outcome = this.env.pvf.execute(d.validationCodeHash, pvd, pov);
    const timeoutUs = rp.ctx.executorTimeouts.backingMs * 1000;
    const timedOut = outcome.cpuUs > timeoutUs;
    const chargeUs = Math.ceil(Math.min(outcome.cpuUs, timeoutUs));
    this.env.cpu("pvf", chargeUs, () => {
      let result: ValidationOutcome;
      if (timedOut) result = { ok: false, reason: "Timeout" };
      else if (outcome.kind === "Invalid") {
        result = { ok: false, reason: "ExecutionError", detail: outcome.reason };
      } else result = this.checkOutputs(rp.ctx, receipt, outcome.outputs);
      if (result.ok) {
        // `make_pov_available`: the backer keeps the data (and so every chunk).
        this.store.storeAvailableData(candidateHash, { pov, pvd, relayParent }, this.env.now());
      }
      this.handleValidated(relayParent, kind, receipt, candidateHash, pvd, result);
    });
  }

  private checkOutputs(
    ctx: BlockContext,
    receipt: CommittedCandidateReceipt,
    outputs: ValidationResult,
  ): ValidationOutcome {
    if (hashHex(outputs.headData) !== receipt.descriptor.paraHead) {
      return { ok: false, reason: "ParaHeadHashMismatch" };
    }
    if (commitmentsHash(commitmentsOf(outputs)) !== commitmentsHash(receipt.commitments)) {
      return { ok: false, reason: "CommitmentsHashMismatch" };
    }
    const signals = parseUmpSignals(receipt, ctx.transposedClaimQueue);
    if (!signals.ok) {
      return { ok: false, reason: "InvalidUMPSignals", detail: signals.error.code };
    }
    return { ok: true };
  }

  /** `handle_validated_candidate_command`. */
  private handleValidated(
    relayParent: Hash,
    kind: CommandKind,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    result: ValidationOutcome,
  ): void {
    const rp = this.perRelayParent.get(relayParent);
    if (rp === undefined) {
      // The relay parent left the view meanwhile.
      if (kind === "Second") this.events?.collationNotSeconded(relayParent, candidateHash, false);
      return;
    }
    rp.awaitingValidation.delete(candidateHash);
    if (!result.ok) {
      this.log.debug("Validation yielded an invalid candidate", () => ({
        candidateHash,
        reason: result.reason,
        ...(result.detail === undefined ? {} : { detail: result.detail }),
      }));
    }
    if (kind === "Second") {
      if (!result.ok) {
        this.events?.collationNotSeconded(relayParent, candidateHash, true);
        return;
      }
      if (rp.issuedStatements.has(candidateHash)) {
        this.events?.collationNotSeconded(relayParent, candidateHash, false);
        return;
      }
      const para = receipt.descriptor.paraId;
      const leaves = this.secondingSanityCheck(
        { kind: "Complete", candidateHash, receipt, persistedValidationData: pvd },
        para,
        relayParent,
      );
      if (leaves.length === 0) {
        this.events?.collationNotSeconded(relayParent, candidateHash, false);
        return;
      }
      const signed = this.signImportAndDistribute(rp, {
        kind: "Seconded",
        candidateHash,
        receipt,
        pvd,
      });
      if (signed === "Rejected") {
        this.log.debug("Attempted to second candidate but was rejected by prospective parachains", {
          relayParent,
          candidateHash,
        });
        this.events?.collationNotSeconded(relayParent, candidateHash, true);
        return;
      }
      const pc = this.perCandidate.get(candidateHash);
      if (pc !== undefined) pc.secondedLocally = true;
      rp.issuedStatements.add(candidateHash);
      this.log.info("Candidate seconded", () => ({
        candidateHash,
        paraId: para,
        relayParent,
      }));
      this.events?.collationSeconded(relayParent, candidateHash);
      return;
    }
    // Attest.
    rp.fallbacks.delete(candidateHash);
    if (!rp.issuedStatements.has(candidateHash)) {
      if (result.ok) this.signImportAndDistribute(rp, { kind: "Valid", candidateHash });
      rp.issuedStatements.add(candidateHash);
    }
  }

  /** `AttestNoPoV`: try the next backer that sent a statement, if any. */
  private attestNoPov(rp: PerRelayParentState, candidateHash: CandidateHash): void {
    rp.awaitingValidation.delete(candidateHash);
    const attesting = rp.fallbacks.get(candidateHash);
    if (attesting === undefined) return;
    const next = attesting.backing.pop();
    if (next === undefined) {
      this.log.debug("Could not fetch the PoV from any backer", { candidateHash });
      return;
    }
    attesting.fromValidator = next;
    this.kickOffValidationWork(rp, attesting);
  }

  /** `kick_off_validation_work`: validate a candidate another member seconded. */
  private kickOffValidationWork(rp: PerRelayParentState, attesting: AttestingData): void {
    if (rp.issuedStatements.has(attesting.candidateHash)) return;
    const pc = this.perCandidate.get(attesting.candidateHash);
    if (pc === undefined) return;
    this.backgroundValidate(
      rp,
      attesting.receipt,
      attesting.candidateHash,
      pc.pvd,
      { kind: "Fetch", from: attesting.fromValidator },
      "Attest",
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  /** `sign_import_and_distribute_statement`: the signed statement, or the rejection. */
  private signImportAndDistribute(
    rp: PerRelayParentState,
    statement: FullStatement,
  ): SignedStatement | "Rejected" {
    const payload = statementSigningPayload(
      { kind: statement.kind, candidateHash: statement.candidateHash },
      rp.ctx.signingContext,
    );
    const signed: SignedStatement = {
      validatorIndex: this.env.validatorIndex,
      statement,
      signature: this.env.crypto.sign(this.env.keypair.secretKey, payload),
    };
    const isSeconded = statement.kind === "Seconded";
    if (isSeconded) rp.secondedByMe.add(statement.candidateHash);
    const summary = this.importStatement(rp, signed);
    if (summary === "Rejected") {
      if (isSeconded) rp.secondedByMe.delete(statement.candidateHash);
      return "Rejected";
    }
    // `Share` is sent before `Backed` (post-import actions).
    const group = rp.assignedCore === null ? undefined : rp.ctx.backingGroups.get(rp.assignedCore);
    const msg: ProtocolMessage = { type: "Statement", relayParent: rp.ctx.hash, statement: signed };
    for (const v of group ?? []) {
      if (v === this.env.validatorIndex) continue;
      const to = this.env.validatorActors[v];
      if (to !== undefined) this.env.send(to, msg);
    }
    this.postImportStatementActions(rp, summary);
    return signed;
  }

  /**
   * `import_statement`: a fresh Seconded is first introduced to prospective parachains; then the
   * statement goes into the table under the core of its signer's group.
   */
  private importStatement(
    rp: PerRelayParentState,
    signed: SignedStatement,
  ): Summary<CandidateHash, CoreIndex> | null | "Rejected" {
    const s = signed.statement;
    if (s.kind === "Seconded" && !this.perCandidate.has(s.candidateHash)) {
      if (
        !this.prospective.introduceSecondedCandidate(s.receipt.descriptor.paraId, s.receipt, s.pvd)
      ) {
        return "Rejected";
      }
      this.perCandidate.set(s.candidateHash, {
        pvd: s.pvd,
        relayParent: s.receipt.descriptor.relayParent,
        secondedLocally: false,
      });
    }
    const core = this.coreIndexFromStatement(rp, signed);
    if (core === null) {
      this.log.debug("Statement dropped: no core for its signer", {
        validatorIndex: signed.validatorIndex,
        candidateHash: s.candidateHash,
      });
      return null;
    }
    const summary = rp.table.importStatement(rp.tableContext, core, toTableStatement(signed));
    if (summary !== null) {
      getOrInsertComputed(rp.statements, summary.candidate, () => []).push(signed);
    }
    return summary;
  }

  /** `core_index_from_statement`: the core of the signer's group, checked for a Seconded. */
  private coreIndexFromStatement(
    rp: PerRelayParentState,
    signed: SignedStatement,
  ): CoreIndex | null {
    const group = rp.ctx.groupOf(signed.validatorIndex);
    if (group === null) return null;
    const core = rp.ctx.coreForGroup(group);
    if (core > rp.ctx.nCores) return null;
    if (signed.statement.kind === "Seconded") {
      const para = signed.statement.receipt.descriptor.paraId;
      if (!rp.ctx.claimsForCore(core).includes(para)) return null;
    }
    return core;
  }

  /** `post_import_statement_actions`: on the first attestation, mark backed and announce. */
  private postImportStatementActions(
    rp: PerRelayParentState,
    summary: Summary<CandidateHash, CoreIndex> | null,
  ): void {
    // Only a candidate not yet backed can become so (and only then is the attestation built).
    if (summary !== null && !rp.backed.has(summary.candidate)) {
      const attested = rp.table.attestedCandidate(
        summary.candidate,
        rp.tableContext,
        rp.ctx.minimumBackingVotes,
      );
      if (attested !== null) {
        rp.backed.add(summary.candidate);
        this.onAttested(rp, summary.candidate, attested);
      }
    }
    if (rp.table.getMisbehavior().size === 0) return;
    for (const [validator, m] of rp.table.drainMisbehaviors()) {
      this.log.debug("Misbehaviour detected", { validatorIndex: validator, kind: m.kind });
    }
  }

  private onAttested(
    rp: PerRelayParentState,
    candidateHash: CandidateHash,
    attested: BackingAttested,
  ): void {
    const receipt = attested.candidate;
    const para = receipt.descriptor.paraId;
    if (this.log.enabled("debug")) {
      this.log.debug("Candidate backed", {
        candidateHash,
        relayParent: rp.ctx.hash,
        paraId: para,
        votes: attested.validityVotes.length,
      });
    }
    this.prospective.candidateBacked(para, candidateHash);
    this.events?.candidateBacked(para, receipt.descriptor.paraHead, candidateHash);
    if (rp.secondedByMe.has(candidateHash)) this.announce(rp, candidateHash, attested);
  }

  /**
   * Statement distribution: the backed candidate, to every validator outside the group. The
   * groups of the para's other cores get it at once (their collator protocol and prospective
   * parachains act on it); with lazily materialised gossip (`env.announcementGossip`) the others
   * get a lazy copy, taken in by `syncAnnouncements` when they next use what they know of the
   * para, or when they author a block.
   */
  private announce(
    rp: PerRelayParentState,
    candidateHash: CandidateHash,
    attested: BackingAttested,
  ) {
    const pvd = this.perCandidate.get(candidateHash)?.pvd;
    const statements = rp.statements.get(candidateHash);
    const group = rp.ctx.backingGroups.get(attested.groupId) ?? [];
    if (pvd === undefined || statements === undefined) return;
    const msg: BackedCandidateMessage = {
      type: "BackedCandidate",
      relayParent: rp.ctx.hash,
      receipt: attested.candidate,
      candidateHash,
      pvd,
      statements: [...statements],
    };
    const gossip = this.env.announcementGossip;
    const me = this.env.validatorIndex;
    const actors = this.env.validatorActors;
    if (gossip === undefined) {
      const to: ActorId[] = [];
      for (let v = 0; v < actors.length; v++) {
        if (v !== me && !group.includes(v)) to.push(actors[v]!);
      }
      this.send(to, msg);
      return;
    }
    // The groups of the para's other cores get it at once; everyone else lazily.
    const para = attested.candidate.descriptor.paraId;
    const interested = new Set<ValidatorIndex>();
    for (const cores of rp.ctx.transposedClaimQueue.get(para)?.values() ?? []) {
      for (const core of cores) {
        if (core === attested.groupId) continue;
        for (const v of rp.ctx.backingGroups.get(core) ?? []) {
          if (v !== me && !group.includes(v)) interested.add(v);
        }
      }
    }
    const eager = [...interested].sort((a, b) => a - b);
    this.send(
      eager.map((v) => actors[v]!),
      msg,
    );
    const notTo = [...new Set([me, ...group, ...eager])].sort((a, b) => a - b);
    gossip.publish(msg, notTo);
  }

  /** Sends one message to each of `to` (`env.multicast` when the environment has it). */
  private send(to: readonly ActorId[], msg: ProtocolMessage): void {
    if (to.length === 0) return;
    if (this.env.multicast !== undefined) this.env.multicast(to, msg);
    else for (const peer of to) this.env.send(peer, msg);
  }

  /**
   * Takes in the lazily gossiped announcements (`env.announcementGossip`) of `para` that reached
   * me and whose signatures I would have checked by now: in order of that time, each is handled
   * as `onBackedCandidate` handles a copy on receipt. The checks are modelled as a delay after
   * delivery (`verifyCostUs` per statement, no queueing behind other work: about 25 ms per relay
   * block at 100 paras, spread over the slot) and are not charged to my `main` CPU. Copies
   * delivered before I had the relay parent in view are dropped, as on receipt. Re-entrant calls
   * (an import asks prospective parachains, which asks for a sync) return at once.
   */
  syncAnnouncements(para: ParaId): void {
    const gossip = this.env.announcementGossip;
    if (gossip === undefined || this.syncing) return;
    this.syncing = true;
    try {
      const now = this.env.now();
      const cost = this.env.verifyCostUs;
      for (const rp of this.perRelayParent.values()) {
        const due: { readonly checkedAtUs: number; readonly d: AnnouncementDelivery }[] = [];
        for (const d of gossip.delivered(rp.ctx.hash, para)) {
          if (rp.announcementsTaken.has(d.id)) continue;
          if (d.deliveredAtUs < rp.createdAtUs) {
            rp.announcementsTaken.add(d.id);
            continue;
          }
          const checkedAtUs = d.deliveredAtUs + cost * d.msg.statements.length;
          if (checkedAtUs <= now) due.push({ checkedAtUs, d });
        }
        due.sort((a, b) => a.checkedAtUs - b.checkedAtUs || a.d.id - b.d.id);
        for (const { d } of due) {
          rp.announcementsTaken.add(d.id);
          this.takeAnnouncement(rp, d.msg);
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  /** A `Statement` from a peer of my group: check the signature, then import. */
  onStatement(from: ActorId, msg: Extract<ProtocolMessage, { type: "Statement" }>): void {
    const rp = this.perRelayParent.get(msg.relayParent);
    if (rp === undefined) {
      this.log.trace("Received statement for unknown relay-parent", {
        relayParent: msg.relayParent,
        from,
      });
      return;
    }
    const signed = msg.statement;
    if (!this.wellFormed(rp, signed)) return;
    this.signatures.charge(1, () => {
      const current = this.perRelayParent.get(msg.relayParent);
      if (current === undefined || !this.signatureValid(current, signed)) return;
      this.maybeValidateAndImport(current, signed);
    });
  }

  /** A `BackedCandidate` announcement: check every signature, then import the statements. */
  onBackedCandidate(from: ActorId, msg: BackedCandidateMessage) {
    const rp = this.perRelayParent.get(msg.relayParent);
    if (rp === undefined) {
      this.log.debug("Backed candidate for a relay parent out of view", {
        relayParent: msg.relayParent,
        candidateHash: msg.candidateHash,
        from,
      });
      return;
    }
    if (!this.announcementUseful(rp, msg)) return;
    this.signatures.charge(announcedStatements(msg, rp.ctx).length, () => {
      const current = this.perRelayParent.get(msg.relayParent);
      if (current !== undefined) this.takeAnnouncement(current, msg);
    });
  }

  /** Not yet backed here, and the receipt is of this relay parent and hashes to the candidate. */
  private announcementUseful(rp: PerRelayParentState, msg: BackedCandidateMessage): boolean {
    if (rp.backed.has(msg.candidateHash)) return false;
    if (msg.receipt.descriptor.relayParent !== msg.relayParent) return false;
    return candidateHashOf(msg.receipt) === msg.candidateHash;
  }

  /** An announcement whose signatures were checked: import its valid statements. */
  private takeAnnouncement(rp: PerRelayParentState, msg: BackedCandidateMessage): void {
    if (!this.announcementUseful(rp, msg)) return;
    for (const s of announcedStatements(msg, rp.ctx)) {
      if (this.signatureValid(rp, s)) this.maybeValidateAndImport(rp, s);
    }
  }

  private wellFormed(rp: PerRelayParentState, s: SignedStatement): boolean {
    return wellFormed(rp.ctx, s);
  }

  private signatureValid(rp: PerRelayParentState, s: SignedStatement): boolean {
    const key = rp.ctx.validatorKeys[s.validatorIndex];
    if (key === undefined) return false;
    const valid = this.env.verify(statementPayload(s, rp.ctx), s.signature, key);
    if (!valid) {
      this.log.debug("Statement with an invalid signature dropped", {
        validatorIndex: s.validatorIndex,
        candidateHash: s.statement.candidateHash,
      });
    }
    return valid;
  }

  /** `maybe_validate_and_import`. */
  private maybeValidateAndImport(rp: PerRelayParentState, signed: SignedStatement): void {
    const summary = this.importStatement(rp, signed);
    if (summary === "Rejected") {
      this.log.debug("Statement rejected by prospective parachains.", {
        relayParent: rp.ctx.hash,
        candidateHash: signed.statement.candidateHash,
      });
      return;
    }
    this.postImportStatementActions(rp, summary);
    if (summary === null || summary.groupId !== rp.assignedCore) return;
    const candidateHash = summary.candidate;
    let attesting: AttestingData;
    if (signed.statement.kind === "Seconded") {
      const receipt = rp.table.getCandidate(candidateHash);
      if (receipt === undefined) return;
      attesting = { receipt, candidateHash, fromValidator: signed.validatorIndex, backing: [] };
      rp.fallbacks.set(candidateHash, attesting);
    } else {
      const existing = rp.fallbacks.get(candidateHash);
      if (existing === undefined || signed.validatorIndex === this.env.validatorIndex) return;
      if (rp.awaitingValidation.has(candidateHash)) {
        existing.backing.push(signed.validatorIndex);
        return;
      }
      existing.fromValidator = signed.validatorIndex;
      attesting = existing;
    }
    this.kickOffValidationWork(rp, attesting);
  }

  // ---------------------------------------------------------------------------------------------
  // Provisioner

  /**
   * `GetBackableCandidates`: per para, the backed candidates in the requested (chain) order,
   * stopping at the first whose relay parent is out of view or which is not attested.
   */
  getBackableCandidates(
    requested: ReadonlyMap<ParaId, readonly { candidateHash: CandidateHash; relayParent: Hash }[]>,
  ): Map<ParaId, BackedCandidate[]> {
    const out = new Map<ParaId, BackedCandidate[]>();
    for (const [para, candidates] of requested) {
      for (const { candidateHash, relayParent } of candidates) {
        const rp = this.perRelayParent.get(relayParent);
        if (rp === undefined) {
          this.log.debug("Requested candidate's relay parent is out of view", {
            relayParent,
            candidateHash,
          });
          break;
        }
        const attested = rp.table.attestedCandidate(
          candidateHash,
          rp.tableContext,
          rp.ctx.minimumBackingVotes,
        );
        const group = attested === null ? undefined : rp.ctx.backingGroups.get(attested.groupId);
        const backed =
          attested === null || group === undefined
            ? null
            : tableAttestedToBacked(attested, group, rp.ctx.injectCoreIndex);
        if (backed === null) break;
        getOrInsertComputed(out, para, () => []).push(backed);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection (tests, checkers)

  /** Whether the table at `relayParent` holds `candidateHash` as attested (backed). */
  isBacked(relayParent: Hash, candidateHash: CandidateHash): boolean {
    return this.perRelayParent.get(relayParent)?.backed.has(candidateHash) ?? false;
  }

  /** The signed statements imported for a candidate at `relayParent`. */
  statementsOf(relayParent: Hash, candidateHash: CandidateHash): readonly SignedStatement[] {
    return this.perRelayParent.get(relayParent)?.statements.get(candidateHash) ?? [];
  }

  /** My assigned core at a relay parent in view (null: none, or not in view). */
  assignedCore(relayParent: Hash): CoreIndex | null {
    return this.perRelayParent.get(relayParent)?.assignedCore ?? null;
  }

  /** Whether a relay parent has backing state (it is in the implicit view). */
  hasRelayParent(relayParent: Hash): boolean {
    return this.perRelayParent.has(relayParent);
  }
}
