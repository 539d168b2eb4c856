/**
 * Candidate backing: seconds collations the collator protocol fetched, validates candidates other
 * members of the group seconded, keeps one statement table per relay parent, and tells
 * prospective parachains, the collator protocol and statement distribution when a candidate
 * becomes backed. It reaches the other subsystems through their message interfaces
 * (`subsystem-types.ts`): candidate validation, the availability store, availability
 * distribution (`FetchPoV`), statement distribution (`Share`, `Backed`), prospective parachains
 * and the collator protocol.
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
 *   (`SigningContext{session_index_for_child(relayParentState), relayParentState}`), imported (a fresh Seconded is first
 *   introduced to prospective parachains; false -> `RejectedByProspectiveParachains`), shared
 *   (`StatementDistributionMessage::Share`), and the collator protocol is told (`Seconded`).
 * - `statement` (a statement statement distribution checked): imported (same introduction
 *   rule); if it is about my core, a Seconded starts validation with the PoV fetched from that
 *   backer (`FetchPoV`, the next backer on failure), a Valid records another backer to fetch
 *   from. A valid result is signed as `Valid`, imported and shared.
 * - When the table first finds a candidate attested (`votes >= min(group size,
 *   minimum_backing_votes)`): `CandidateBacked` to prospective parachains, `Backed{para,
 *   para_head}` to the collator protocol, `Backed` to statement distribution.
 * - `getBackableCandidates`: per para, the `BackedCandidate`s in the given order, stopping at the
 *   first whose relay parent is out of view or which is not attested. Votes are ordered by
 *   position in the group; with `ElasticScalingMVP` 8 core-index bits are appended, LSB first.
 *
 * Simplifications, stated honestly:
 * - Disabled validators, misbehaviour reports to the provisioner and disputes are not modelled
 *   (misbehaviour is detected by the table, logged and counted: `misbehaviorReports`).
 * - Adversaries (`env.malus`, docs/simulator.md "Adversaries"): a `seconds-invalid` validator
 *   replaces an Invalid verdict of candidate validation by Valid (malus `back-garbage-candidate`);
 *   a `double-votes` one sends its group the other statement about a candidate it voted on.
 * - Signing costs no modelled CPU.
 * - `second` reports to the collator protocol when it will not second a collation (not in
 *   Polkadot, where the old collator protocol waits); it keeps the modelled fetch pipeline moving.
 *
 * Ref: polkadot/node/core/backing/src/lib.rs (handle_second_message, maybe_validate_and_import,
 *      import_statement, post_import_statement_actions, sign_import_and_distribute_statement,
 *      handle_validated_candidate_command, seconding_sanity_check, handle_can_second_request,
 *      core_index_from_statement, table_attested_to_backed,
 *      handle_get_backable_candidates_message), polkadot/primitives (BackedCandidate::new with
 *      inject_core_index).
 */

import type { ActorLog, ValidatorEnv } from "../../../actors/env.ts";
import type { FullStatement, PoV, SignedStatement } from "../../../actors/protocol.ts";
import type { HypotheticalCandidate } from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { bytesEqual } from "../../../lib/hex.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import { candidateHash as candidateHashOf, pvdHash } from "../../../primitives/candidate.ts";
import type {
  CandidateHash,
  CommittedCandidateReceipt,
  CoreIndex,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../../../primitives/codecs.ts";
import type { BackedCandidate } from "../../../primitives/inherent.ts";
import {
  statementSigningPayload,
  type ValidityAttestation,
} from "../../../primitives/statements.ts";
import type {
  AvailabilityDistributionMessage,
  AvailabilityStoreMessage,
  BackableCandidate,
  CandidateBackingMessage,
  CandidateValidationMessage,
  CandidateValidity,
  CanSecondRequest,
  CollatorProtocolMessage,
  ProspectiveParachainsMessage,
  StatementDistributionMessage,
} from "../../subsystem-types.ts";
import type { ImplicitView } from "../../util/backing-implicit-view.ts";
import type { BlockContext, BlockContexts } from "../../util/block-context.ts";
import {
  type AttestedCandidate,
  type SignedTableStatement,
  type Summary,
  Table,
  type TableContext,
} from "./statement-table.ts";

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
}

/**
 * What a background validation gives backing: the validation result, or `InvalidErasureRoot`
 * when the store refused the available data (`make_pov_available`'s error).
 */
type BackgroundValidation =
  | CandidateValidity
  | { readonly kind: "Invalid"; readonly code: "InvalidErasureRoot"; readonly detail?: string };

interface PerRelayParentState {
  readonly ctx: BlockContext;
  readonly assignedCore: CoreIndex | null;
  readonly table: BackingTable;
  readonly tableContext: TableContext<ValidatorIndex, CoreIndex>;
  readonly backed: Set<CandidateHash>;
  readonly issuedStatements: Set<CandidateHash>;
  readonly awaitingValidation: Set<CandidateHash>;
  readonly fallbacks: Map<CandidateHash, AttestingData>;
  /** The signed statements imported, per candidate, in import order (for `Backed`). */
  readonly statements: Map<CandidateHash, SignedStatement[]>;
}

/**
 * What backing computes once per relay block for every validator (performance, not protocol):
 * the table context of a block (group membership per core). Owned by whoever runs the nodes.
 */
export class BackingShared {
  private readonly tableContexts = new WeakMap<
    BlockContext,
    TableContext<ValidatorIndex, CoreIndex>
  >();

  tableContext(ctx: BlockContext): TableContext<ValidatorIndex, CoreIndex> {
    return getOrInsertComputed(this.tableContexts, ctx, () => {
      const groups = ctx.backingGroups;
      return {
        isMemberOf: (a, core) => groups.get(core)?.includes(a) ?? false,
        getGroupSize: (core) => groups.get(core)?.length,
      };
    });
  }
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

/** Bits of the core index `inject_core_index` appends to the validator indices (a `u8`). */
export const CORE_INDEX_BITS = 8;

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
    for (let bit = 0; bit < CORE_INDEX_BITS; bit++) {
      validatorIndices.push(((attested.groupId >> bit) & 1) === 1);
    }
  }
  return {
    candidate: attested.candidate,
    validityVotes: positioned.map(([, vote]) => vote),
    validatorIndices,
  };
}

export class CandidateBacking implements CandidateBackingMessage {
  private readonly perRelayParent = new Map<Hash, PerRelayParentState>();
  private readonly perCandidate = new Map<CandidateHash, PerCandidateState>();
  /**
   * The misbehaviour the tables revealed, by kind (`ProvisionableData::MisbehaviorReport`'s
   * content; the reports themselves are not modelled), and who committed it.
   */
  readonly misbehaviorReports = new Map<string, number>();
  readonly misbehavingValidators = new Set<ValidatorIndex>();

  constructor(
    private readonly env: Pick<
      ValidatorEnv,
      "now" | "relayChain" | "validatorIndex" | "crypto" | "keypair" | "malus"
    >,
    private readonly log: ActorLog,
    private readonly view: ImplicitView,
    private readonly subsystems: {
      readonly prospective: ProspectiveParachainsMessage;
      readonly validation: CandidateValidationMessage;
      readonly store: AvailabilityStoreMessage;
      readonly availability: AvailabilityDistributionMessage;
      readonly statements: StatementDistributionMessage;
      readonly collatorProtocol: CollatorProtocolMessage;
    },
    private readonly contexts: BlockContexts,
    private readonly shared: BackingShared,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Active leaves

  /**
   * After the implicit view moved: drop the state of relay parents that left it (and of their
   * candidates), create it for the new ones (`freshRelayParents`).
   */
  activeLeavesUpdate(freshRelayParents: readonly Hash[], remaining: ReadonlySet<Hash>): void {
    // (Deleting the current entry while iterating a Map is well defined: no copies needed.)
    for (const relayParent of this.perRelayParent.keys()) {
      if (!remaining.has(relayParent)) this.perRelayParent.delete(relayParent);
    }
    for (const [hash, pc] of this.perCandidate) {
      if (!this.perRelayParent.has(pc.relayParent)) this.perCandidate.delete(hash);
    }
    for (const relayParent of freshRelayParents) {
      if (this.perRelayParent.has(relayParent)) continue;
      const api = this.env.relayChain.api(relayParent);
      if (api === null) continue;
      const ctx = this.contexts.of(api);
      this.perRelayParent.set(relayParent, {
        ctx,
        assignedCore: ctx.assignedCore(this.env.validatorIndex),
        table: new Table(
          { allowMultipleSeconded: true },
          candidateHashOf,
          (a: Uint8Array, b: Uint8Array) => bytesEqual(a, b),
        ),
        tableContext: this.shared.tableContext(ctx),
        backed: new Set(),
        issuedStatements: new Set(),
        awaitingValidation: new Set(),
        fallbacks: new Map(),
        statements: new Map(),
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
    const relayParentState = this.perRelayParent.get(relayParent);
    if (relayParentState === undefined) {
      this.log.trace("We were asked to second a candidate outside of our view.", {
        relayParent,
        candidateHash,
      });
      return false;
    }
    const paras =
      relayParentState.assignedCore === null
        ? []
        : relayParentState.ctx.claimsForCore(relayParentState.assignedCore);
    if (!paras.includes(receipt.descriptor.paraId)) {
      this.log.debug("Subsystem asked to second for para outside of our assignment", {
        assignedCore: relayParentState.assignedCore,
        paraId: receipt.descriptor.paraId,
      });
      return false;
    }
    if (relayParentState.issuedStatements.has(candidateHash)) return false;
    return this.backgroundValidate(
      relayParentState,
      receipt,
      candidateHash,
      pvd,
      { kind: "Ready", pov },
      "Second",
    );
  }

  /** `CanSecond`: could a candidate with these properties be seconded (Incomplete hypothetical)? */
  canSecond(request: CanSecondRequest): boolean {
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
      const membership = this.subsystems.prospective.getHypotheticalMembership(
        [candidate],
        leaf,
      )[0];
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
    relayParentState: PerRelayParentState,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    pov: { readonly kind: "Ready"; readonly pov: PoV } | { readonly kind: "Fetch"; from: number },
    kind: CommandKind,
  ): boolean {
    const core = relayParentState.assignedCore;
    if (core === null) return false;
    if (relayParentState.awaitingValidation.has(candidateHash)) return false;
    relayParentState.awaitingValidation.add(candidateHash);
    const relayParent = relayParentState.ctx.hash;
    if (pov.kind === "Ready") {
      this.validate(relayParentState, core, receipt, candidateHash, pvd, pov.pov, kind);
    } else {
      this.subsystems.availability.fetchPov(relayParent, candidateHash, pov.from, (fetched) => {
        const current = this.perRelayParent.get(relayParent);
        if (current === undefined) return; // relay parent left the view
        if (fetched === null || fetched.hash !== receipt.descriptor.povHash) {
          this.attestNoPov(current, candidateHash);
          return;
        }
        this.validate(current, core, receipt, candidateHash, pvd, fetched, kind);
      });
    }
    return true;
  }

  /**
   * Candidate validation, then `make_pov_available`: a valid candidate's available data is
   * stored before the result is handled (the backer keeps every chunk).
   */
  private validate(
    relayParentState: PerRelayParentState,
    /** My assigned core, the candidate's (`StoreAvailableData`'s `core_index`). */
    core: CoreIndex,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    pov: PoV,
    kind: CommandKind,
  ): void {
    const relayParent = relayParentState.ctx.hash;
    this.subsystems.validation.validateFromExhaustive(
      relayParentState.ctx,
      receipt,
      pvd,
      pov,
      (verdict) => {
        let validity = verdict;
        // A `seconds-invalid` adversary (malus `back-garbage-candidate`) replaces the verdict.
        const malus = this.env.malus;
        if (validity.kind === "Invalid" && malus?.fakeValid()) {
          malus.note("seconds-invalid");
          validity = { kind: "Valid" };
        }
        let result: BackgroundValidation = validity;
        if (validity.kind === "Valid") {
          // `make_pov_available`: the store erasure-codes the data and checks the root; a
          // candidate whose erasure root is not its data's is invalid (`Err(candidate)`).
          const ctx = relayParentState.ctx;
          const stored = this.subsystems.store.storeAvailableData(
            candidateHash,
            { pov, pvd, relayParent },
            this.env.now(),
            {
              nValidators: ctx.nValidators,
              erasureRoot: receipt.descriptor.erasureRoot,
              core,
              chunkMapping: ctx.nodeFeatures.availabilityChunkMapping,
            },
          );
          if (stored === "InvalidErasureRoot") {
            result = {
              kind: "Invalid",
              code: "InvalidErasureRoot",
              detail: "Erasure root doesn't match the announced by the candidate receipt",
            };
          }
        }
        this.handleValidated(relayParent, kind, receipt, candidateHash, pvd, result);
      },
    );
  }

  /** `handle_validated_candidate_command`. */
  private handleValidated(
    relayParent: Hash,
    kind: CommandKind,
    receipt: CommittedCandidateReceipt,
    candidateHash: CandidateHash,
    pvd: PersistedValidationData,
    result: BackgroundValidation,
  ): void {
    const relayParentState = this.perRelayParent.get(relayParent);
    if (relayParentState === undefined) {
      // The relay parent left the view meanwhile.
      if (kind === "Second")
        this.subsystems.collatorProtocol.collationNotSeconded(relayParent, candidateHash);
      return;
    }
    relayParentState.awaitingValidation.delete(candidateHash);
    if (result.kind === "Invalid") {
      this.log.debug("Validation yielded an invalid candidate", () => ({
        candidateHash,
        reason: result.code,
        ...(result.detail === undefined ? {} : { detail: result.detail }),
      }));
    }
    if (kind === "Second") {
      if (result.kind === "Invalid") {
        this.subsystems.collatorProtocol.collationNotSeconded(relayParent, candidateHash);
        return;
      }
      if (relayParentState.issuedStatements.has(candidateHash)) {
        this.subsystems.collatorProtocol.collationNotSeconded(relayParent, candidateHash);
        return;
      }
      const para = receipt.descriptor.paraId;
      const leaves = this.secondingSanityCheck(
        { kind: "Complete", candidateHash, receipt, persistedValidationData: pvd },
        para,
        relayParent,
      );
      if (leaves.length === 0) {
        this.subsystems.collatorProtocol.collationNotSeconded(relayParent, candidateHash);
        return;
      }
      const signed = this.signImportAndDistribute(relayParentState, {
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
        this.subsystems.collatorProtocol.collationNotSeconded(relayParent, candidateHash);
        return;
      }
      relayParentState.issuedStatements.add(candidateHash);
      this.maybeDoubleVote(relayParentState, { kind: "Valid", candidateHash });
      this.log.info("Candidate seconded", () => ({
        candidateHash,
        paraId: para,
        relayParent,
      }));
      this.subsystems.collatorProtocol.collationSeconded(relayParent, candidateHash);
      return;
    }
    // Attest.
    relayParentState.fallbacks.delete(candidateHash);
    if (!relayParentState.issuedStatements.has(candidateHash)) {
      if (result.kind === "Valid") {
        this.signImportAndDistribute(relayParentState, { kind: "Valid", candidateHash });
        this.maybeDoubleVote(relayParentState, {
          kind: "Seconded",
          candidateHash,
          receipt,
          pvd,
        });
      }
      relayParentState.issuedStatements.add(candidateHash);
    }
  }

  /**
   * A `double-votes` adversary, having voted on a candidate, signs and sends the group the other
   * statement about it too (`Valid` after its `Seconded`, `Seconded` after its `Valid`): the
   * receivers' tables report `ValidityDoubleVote::IssuedAndValidity`. (polkadot-sdk's statements
   * are `Seconded` and `Valid` only: there is no `Invalid` statement to double-vote with.)
   */
  private maybeDoubleVote(relayParentState: PerRelayParentState, statement: FullStatement): void {
    const malus = this.env.malus;
    if (malus === undefined || !malus.doubleVote()) return;
    const core = relayParentState.assignedCore;
    if (core === null) return;
    const signed = this.signStatement(relayParentState, statement);
    malus.note("double-votes");
    this.subsystems.statements.share(
      relayParentState.ctx,
      relayParentState.ctx.backingGroups.get(core) ?? [],
      signed,
    );
  }

  /** `AttestNoPoV`: try the next backer that sent a statement, if any. */
  private attestNoPov(relayParentState: PerRelayParentState, candidateHash: CandidateHash): void {
    relayParentState.awaitingValidation.delete(candidateHash);
    const attesting = relayParentState.fallbacks.get(candidateHash);
    if (attesting === undefined) return;
    const next = attesting.backing.pop();
    if (next === undefined) {
      this.log.debug("Could not fetch the PoV from any backer", { candidateHash });
      return;
    }
    attesting.fromValidator = next;
    this.kickOffValidationWork(relayParentState, attesting);
  }

  /** `kick_off_validation_work`: validate a candidate another member seconded. */
  private kickOffValidationWork(
    relayParentState: PerRelayParentState,
    attesting: AttestingData,
  ): void {
    if (relayParentState.issuedStatements.has(attesting.candidateHash)) return;
    const pc = this.perCandidate.get(attesting.candidateHash);
    if (pc === undefined) return;
    this.backgroundValidate(
      relayParentState,
      attesting.receipt,
      attesting.candidateHash,
      pc.pvd,
      { kind: "Fetch", from: attesting.fromValidator },
      "Attest",
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  /** The statement signed with this validator's key in the relay parent's signing context. */
  private signStatement(
    relayParentState: PerRelayParentState,
    statement: FullStatement,
  ): SignedStatement {
    const payload = statementSigningPayload(
      { kind: statement.kind, candidateHash: statement.candidateHash },
      relayParentState.ctx.signingContext,
    );
    return {
      validatorIndex: this.env.validatorIndex,
      statement,
      signature: this.env.crypto.sign(this.env.keypair.secretKey, payload),
    };
  }

  /** `sign_import_and_distribute_statement`: the signed statement, or the rejection. */
  private signImportAndDistribute(
    relayParentState: PerRelayParentState,
    statement: FullStatement,
  ): SignedStatement | "Rejected" {
    const signed = this.signStatement(relayParentState, statement);
    const summary = this.importStatement(relayParentState, signed);
    if (summary === "Rejected") return "Rejected";
    // `Share` is sent before `Backed` (post-import actions).
    const group =
      relayParentState.assignedCore === null
        ? undefined
        : relayParentState.ctx.backingGroups.get(relayParentState.assignedCore);
    this.subsystems.statements.share(relayParentState.ctx, group ?? [], signed);
    this.postImportStatementActions(relayParentState, summary);
    return signed;
  }

  /**
   * `import_statement`: a fresh Seconded is first introduced to prospective parachains; then the
   * statement goes into the table under the core of its signer's group.
   */
  private importStatement(
    relayParentState: PerRelayParentState,
    signed: SignedStatement,
  ): Summary<CandidateHash, CoreIndex> | null | "Rejected" {
    const s = signed.statement;
    if (s.kind === "Seconded" && !this.perCandidate.has(s.candidateHash)) {
      if (
        !this.subsystems.prospective.introduceSecondedCandidate(
          s.receipt.descriptor.paraId,
          s.receipt,
          s.pvd,
        )
      ) {
        return "Rejected";
      }
      this.perCandidate.set(s.candidateHash, {
        pvd: s.pvd,
        relayParent: s.receipt.descriptor.relayParent,
      });
    }
    const core = this.coreIndexFromStatement(relayParentState, signed);
    if (core === null) {
      this.log.debug("Statement dropped: no core for its signer", {
        validatorIndex: signed.validatorIndex,
        candidateHash: s.candidateHash,
      });
      return null;
    }
    const summary = relayParentState.table.importStatement(
      relayParentState.tableContext,
      core,
      toTableStatement(signed),
    );
    if (summary !== null) {
      getOrInsertComputed(relayParentState.statements, summary.candidate, () => []).push(signed);
    }
    return summary;
  }

  /** `core_index_from_statement`: the core of the signer's group, checked for a Seconded. */
  private coreIndexFromStatement(
    relayParentState: PerRelayParentState,
    signed: SignedStatement,
  ): CoreIndex | null {
    const group = relayParentState.ctx.groupOf(signed.validatorIndex);
    if (group === null) return null;
    const core = relayParentState.ctx.coreForGroup(group);
    if (core > relayParentState.ctx.nCores) return null;
    if (signed.statement.kind === "Seconded") {
      const para = signed.statement.receipt.descriptor.paraId;
      if (!relayParentState.ctx.claimsForCore(core).includes(para)) return null;
    }
    return core;
  }

  /** `post_import_statement_actions`: on the first attestation, mark backed and announce. */
  private postImportStatementActions(
    relayParentState: PerRelayParentState,
    summary: Summary<CandidateHash, CoreIndex> | null,
  ): void {
    // Only a candidate not yet backed can become so (and only then is the attestation built).
    if (summary !== null && !relayParentState.backed.has(summary.candidate)) {
      const attested = relayParentState.table.attestedCandidate(
        summary.candidate,
        relayParentState.tableContext,
        relayParentState.ctx.minimumBackingVotes,
      );
      if (attested !== null) {
        relayParentState.backed.add(summary.candidate);
        this.onAttested(relayParentState, summary.candidate, attested);
      }
    }
    if (relayParentState.table.getMisbehavior().size === 0) return;
    for (const [validator, m] of relayParentState.table.drainMisbehaviors()) {
      const kind = m.kind === "ValidityDoubleVote" ? `${m.kind}::IssuedAndValidity` : m.kind;
      this.misbehaviorReports.set(kind, (this.misbehaviorReports.get(kind) ?? 0) + 1);
      this.misbehavingValidators.add(validator);
      this.log.debug("Misbehaviour detected", { validatorIndex: validator, kind: m.kind });
    }
  }

  private onAttested(
    relayParentState: PerRelayParentState,
    candidateHash: CandidateHash,
    attested: BackingAttested,
  ): void {
    const receipt = attested.candidate;
    const para = receipt.descriptor.paraId;
    if (this.log.enabled("debug")) {
      this.log.debug("Candidate backed", {
        candidateHash,
        relayParent: relayParentState.ctx.hash,
        paraId: para,
        votes: attested.validityVotes.length,
      });
    }
    this.subsystems.prospective.candidateBacked(para, candidateHash);
    this.subsystems.collatorProtocol.candidateBacked(para, receipt.descriptor.paraHead);
    const pvd = this.perCandidate.get(candidateHash)?.pvd;
    const statements = relayParentState.statements.get(candidateHash);
    if (pvd === undefined || statements === undefined) return;
    this.subsystems.statements.backed(relayParentState.ctx, {
      candidateHash,
      receipt,
      pvd,
      statements,
      core: attested.groupId,
    });
  }

  /** `CandidateBackingMessage::Statement`: a statement whose signature was checked. */
  statement(relayParent: Hash, signed: SignedStatement): void {
    const relayParentState = this.perRelayParent.get(relayParent);
    if (relayParentState !== undefined) this.maybeValidateAndImport(relayParentState, signed);
  }

  /** `maybe_validate_and_import`. */
  private maybeValidateAndImport(
    relayParentState: PerRelayParentState,
    signed: SignedStatement,
  ): void {
    const summary = this.importStatement(relayParentState, signed);
    if (summary === "Rejected") {
      this.log.debug("Statement rejected by prospective parachains.", {
        relayParent: relayParentState.ctx.hash,
        candidateHash: signed.statement.candidateHash,
      });
      return;
    }
    this.postImportStatementActions(relayParentState, summary);
    if (summary === null || summary.groupId !== relayParentState.assignedCore) return;
    const candidateHash = summary.candidate;
    let attesting: AttestingData;
    if (signed.statement.kind === "Seconded") {
      const receipt = relayParentState.table.getCandidate(candidateHash);
      if (receipt === undefined) return;
      attesting = { receipt, candidateHash, fromValidator: signed.validatorIndex, backing: [] };
      relayParentState.fallbacks.set(candidateHash, attesting);
    } else {
      const existing = relayParentState.fallbacks.get(candidateHash);
      if (existing === undefined || signed.validatorIndex === this.env.validatorIndex) return;
      if (relayParentState.awaitingValidation.has(candidateHash)) {
        existing.backing.push(signed.validatorIndex);
        return;
      }
      existing.fromValidator = signed.validatorIndex;
      attesting = existing;
    }
    this.kickOffValidationWork(relayParentState, attesting);
  }

  // ---------------------------------------------------------------------------------------------
  // Provisioner

  /**
   * `GetBackableCandidates`: per para, the backed candidates in the requested (chain) order,
   * stopping at the first whose relay parent is out of view or which is not attested.
   */
  getBackableCandidates(
    requested: ReadonlyMap<ParaId, readonly BackableCandidate[]>,
  ): Map<ParaId, BackedCandidate[]> {
    const out = new Map<ParaId, BackedCandidate[]>();
    for (const [para, candidates] of requested) {
      for (const { candidateHash, relayParent } of candidates) {
        const relayParentState = this.perRelayParent.get(relayParent);
        if (relayParentState === undefined) {
          this.log.debug("Requested candidate's relay parent is out of view", {
            relayParent,
            candidateHash,
          });
          break;
        }
        const attested = relayParentState.table.attestedCandidate(
          candidateHash,
          relayParentState.tableContext,
          relayParentState.ctx.minimumBackingVotes,
        );
        const group =
          attested === null ? undefined : relayParentState.ctx.backingGroups.get(attested.groupId);
        const backed =
          attested === null || group === undefined
            ? null
            : tableAttestedToBacked(attested, group, relayParentState.ctx.injectCoreIndex);
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
}
