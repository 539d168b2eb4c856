/**
 * Parent search: which locally known parachain blocks a collator may build on for a given relay
 * parent (`find_potential_parents`), and the one it builds on (`find_parent`: the deepest).
 *
 * A block is a potential parent if it is the included block, the pending-availability block, or
 * descends from a potential parent within `maxDepth` of the included block and its relay parent
 * (by hash, or by relay-parent storage root) lies in the allowed relay ancestry: the relay parent
 * and up to `ancestryLookback` ancestors in the same session, never the genesis block.
 *
 * Invariants:
 * - Pure and synchronous: the para block tree and the relay chain are interfaces handed in.
 * - The order of results is Rust's: the included block and the path to the pending block first,
 *   then a depth-first search whose frontier is a stack (children pushed in the backend's order,
 *   the last pushed explored first).
 * - A para block's hash is blake2b-256 of its head data (cumulus: head data = encoded header),
 *   so the head data a PVD carries names the block.
 *
 * Ref: cumulus/client/consensus/common/src/parent_search.rs (the G2 version with
 *      `search_child_branches_for_parents`), cumulus/client/consensus/aura/src/collators/mod.rs
 *      (`find_parent`, `can_build_upon`), tests in cumulus/client/consensus/common/src/tests.rs.
 */
import type { Hash } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { BlockNumber, HeadData, ParaId, SessionIndex } from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";

/** A parachain block header, with what parent search reads from its digest. */
export interface ParaBlockHeader {
  readonly hash: Hash;
  readonly number: BlockNumber;
  readonly parentHash: Hash;
  /** `CumulusDigestItem::RelayParent`, if the block carries it. */
  readonly relayParent: Hash | null;
  /** The relay-parent storage root digest (`rpsr_digest`), if the block carries it. */
  readonly relayParentStorageRoot: Hash | null;
}

/** The collator's local para block tree (`sc_client_api::Backend` as parent search uses it). */
export interface ParaBackend {
  header(hash: Hash): ParaBlockHeader | null;
  /** Children in the backend's stored order. */
  children(hash: Hash): readonly Hash[];
}

/** A relay-chain header as parent search reads it. */
export interface RelayHeader {
  readonly number: BlockNumber;
  readonly parentHash: Hash;
  readonly stateRoot: Hash;
}

/** `OccupiedCoreAssumption`. */
export type OccupiedCoreAssumption = "Included" | "TimedOut" | "Free";

/** The relay chain as parent search queries it (`RelayChainInterface`). */
export interface RelayChainInterface {
  /** `persisted_validation_data` runtime API at `relayParent`; null if the para does not exist. */
  persistedValidationData(
    relayParent: Hash,
    paraId: ParaId,
    assumption: OccupiedCoreAssumption,
  ): { readonly parentHead: HeadData } | null;
  header(hash: Hash): RelayHeader | null;
  /** `session_index_for_child`: the session of a child of `hash`. */
  sessionIndexForChild(hash: Hash): SessionIndex;
}

/** `ParentSearchParams`. */
export interface ParentSearchParams {
  readonly relayParent: Hash;
  readonly paraId: ParaId;
  /** How many relay ancestors of `relayParent` may be a candidate parent's relay parent. */
  readonly ancestryLookback: number;
  /** How deep parents may be relative to the included block (depth 0). */
  readonly maxDepth: number;
  /** Ignore branches that do not contain the block pending availability. */
  readonly ignoreAlternativeBranches: boolean;
}

/** `PotentialParent`. */
export interface PotentialParent {
  readonly hash: Hash;
  readonly header: ParaBlockHeader;
  /** Depth relative to the included block. */
  readonly depth: number;
  /** Is the included block, on the path to the pending block, or descends from it. */
  readonly alignedWithPending: boolean;
}

/** `sp_blockchain::Error::UnknownBlock`: a header needed for a tree route is missing. */
export type ParentSearchError = { readonly code: "UnknownBlock"; readonly hash: Hash };

/** `sp_blockchain::TreeRoute`: from `from` back to the common ancestor, then on to `to`. */
export interface TreeRoute {
  /** Blocks from `from` (inclusive) back to the common ancestor (exclusive). */
  readonly retracted: readonly Hash[];
  readonly commonAncestor: Hash;
  /** Blocks after the common ancestor up to `to` (inclusive), oldest first. */
  readonly enacted: readonly Hash[];
}

/** `sp_blockchain::tree_route(backend, from, to)`. */
export function treeRoute(
  backend: ParaBackend,
  from: Hash,
  to: Hash,
): Result<TreeRoute, ParentSearchError> {
  const load = (hash: Hash): ParaBlockHeader | ParentSearchError =>
    backend.header(hash) ?? { code: "UnknownBlock", hash };
  let f = load(from);
  if ("code" in f) return err(f);
  let t = load(to);
  if ("code" in t) return err(t);
  const retracted: Hash[] = [];
  const enacted: Hash[] = [];
  while (f.number > t.number) {
    retracted.push(f.hash);
    const next = load(f.parentHash);
    if ("code" in next) return err(next);
    f = next;
  }
  while (t.number > f.number) {
    enacted.push(t.hash);
    const next = load(t.parentHash);
    if ("code" in next) return err(next);
    t = next;
  }
  while (f.hash !== t.hash) {
    retracted.push(f.hash);
    enacted.push(t.hash);
    const nf = load(f.parentHash);
    if ("code" in nf) return err(nf);
    const nt = load(t.parentHash);
    if ("code" in nt) return err(nt);
    f = nf;
    t = nt;
  }
  return ok({ retracted, commonAncestor: f.hash, enacted: enacted.reverse() });
}

/**
 * `build_relay_parent_ancestry`: `[(hash, state_root)]` of the relay parent and up to
 * `ancestryLookback` ancestors, stopping at a session change and before the genesis block.
 */
export function buildRelayParentAncestry(
  ancestryLookback: number,
  relayParent: Hash,
  relayClient: RelayChainInterface,
): readonly (readonly [hash: Hash, stateRoot: Hash])[] {
  const ancestry: [Hash, Hash][] = [];
  let currentRp = relayParent;
  let requiredSession: SessionIndex | null = null;
  while (ancestry.length <= ancestryLookback) {
    const header = relayClient.header(currentRp);
    if (header === null) break;
    const session = relayClient.sessionIndexForChild(currentRp);
    if (requiredSession === null) requiredSession = session;
    else if (session !== requiredSession) break; // do not cross session boundaries
    ancestry.push([currentRp, header.stateRoot]);
    currentRp = header.parentHash;
    if (header.number === 1) break; // do not iterate back into the genesis block
  }
  return ancestry;
}

/** The included block at `relayParent`, if it is known locally (`fetch_included_from_relay_chain`). */
function fetchIncludedFromRelayChain(
  relayClient: RelayChainInterface,
  backend: ParaBackend,
  paraId: ParaId,
  relayParent: Hash,
): ParaBlockHeader | null {
  // TimedOut: even with a candidate pending availability, this gives the included head.
  const pvd = relayClient.persistedValidationData(relayParent, paraId, "TimedOut");
  if (pvd === null) return null; // the para does not exist
  return backend.header(hashHex(pvd.parentHead));
}

/** `find_potential_parents(params, backend, relay_client)`. */
export function findPotentialParents(
  params: ParentSearchParams,
  backend: ParaBackend,
  relayClient: RelayChainInterface,
): Result<PotentialParent[], ParentSearchError> {
  const included = fetchIncludedFromRelayChain(
    relayClient,
    backend,
    params.paraId,
    params.relayParent,
  );
  if (included === null) return ok([]);
  const includedParent: PotentialParent = {
    hash: included.hash,
    header: included,
    depth: 0,
    alignedWithPending: true,
  };
  if (params.maxDepth === 0) return ok([includedParent]);

  // The pending block: the head after the candidate pending availability is enacted.
  let pending: ParaBlockHeader | null = null;
  const pendingPvd = relayClient.persistedValidationData(
    params.relayParent,
    params.paraId,
    "Included",
  );
  const pendingHash = pendingPvd === null ? null : hashHex(pendingPvd.parentHead);
  if (pendingHash !== null && pendingHash !== included.hash) {
    pending = backend.header(pendingHash);
    // Supposed to ignore the branches without the pending block, but it is unknown locally.
    if (pending === null && params.ignoreAlternativeBranches) return ok([includedParent]);
  }

  let route: TreeRoute | null = null;
  if (pending !== null) {
    const r = treeRoute(backend, included.hash, pending.hash);
    if (!r.ok) return r;
    route = r.value;
  }

  let frontier: PotentialParent[];
  let potentialParents: PotentialParent[];
  if (pending !== null && params.ignoreAlternativeBranches && route !== null) {
    // Defensive, should never happen: the included block is not an ancestor of the pending one.
    if (route.retracted.length > 0) return ok([]);
    potentialParents = [includedParent];
    // The path included -> pending (exclusive), at most `maxDepth` blocks.
    const numParentsOnPath = Math.min(Math.max(route.enacted.length - 1, 0), params.maxDepth);
    for (const [num, hash] of route.enacted.slice(0, numParentsOnPath).entries()) {
      const header = backend.header(hash);
      if (header === null) continue;
      potentialParents.push({ hash, header, depth: 1 + num, alignedWithPending: true });
    }
    // The search continues at the pending block.
    frontier = [
      {
        hash: pending.hash,
        header: pending,
        depth: route.enacted.length,
        alignedWithPending: true,
      },
    ];
  } else {
    frontier = [includedParent];
    potentialParents = [];
  }

  if (potentialParents.length > params.maxDepth) return ok(potentialParents);

  const rpAncestry = buildRelayParentAncestry(
    params.ancestryLookback,
    params.relayParent,
    relayClient,
  );
  return ok(
    searchChildBranchesForParents(
      frontier,
      route,
      included,
      pending?.hash ?? null,
      backend,
      params.maxDepth,
      params.ignoreAlternativeBranches,
      rpAncestry,
      potentialParents,
    ),
  );
}

/** `search_child_branches_for_parents`: the depth-first search below the frontier. */
export function searchChildBranchesForParents(
  frontier: PotentialParent[],
  routeToPending: TreeRoute | null,
  includedHeader: ParaBlockHeader,
  pendingHash: Hash | null,
  backend: ParaBackend,
  maxDepth: number,
  ignoreAlternativeBranches: boolean,
  rpAncestry: readonly (readonly [Hash, Hash])[],
  potentialParents: PotentialParent[],
): PotentialParent[] {
  const includedHash = includedHeader.hash;
  const isHashInAncestry = (hash: Hash) => rpAncestry.some(([h]) => h === hash);
  const isRootInAncestry = (root: Hash) => rpAncestry.some(([, r]) => r === root);
  // Distance between the included and the pending block: a child deeper than that is aligned.
  const pendingDistance = routeToPending === null ? null : routeToPending.enacted.length;
  const isChildInPathToPending = (hash: Hash) =>
    routeToPending === null || routeToPending.enacted.includes(hash);

  const stack = [...frontier];
  const out = [...potentialParents];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const isPending = pendingHash !== null && entry.hash === pendingHash;
    const isIncluded = entry.hash === includedHash;
    // The pending and included blocks are always allowed: they are already on chain.
    const isPotential =
      isPending ||
      isIncluded ||
      (entry.header.relayParent !== null && isHashInAncestry(entry.header.relayParent)) ||
      (entry.header.relayParentStorageRoot !== null &&
        isRootInAncestry(entry.header.relayParentStorageRoot));
    const childDepth = entry.depth + 1;
    if (isPotential) out.push(entry);
    if (!isPotential || childDepth > maxDepth) continue;

    for (const child of backend.children(entry.hash)) {
      const alignedWithPending =
        entry.alignedWithPending &&
        (pendingDistance === null ||
          childDepth > pendingDistance ||
          pendingHash === null ||
          child === pendingHash ||
          isChildInPathToPending(child));
      if (ignoreAlternativeBranches && !alignedWithPending) continue;
      const header = backend.header(child);
      if (header === null) continue;
      stack.push({ hash: child, header, depth: childDepth, alignedWithPending });
    }
  }
  return out;
}

/** `DEFAULT_SCHEDULING_LOOKAHEAD` (polkadot primitives). */
export const DEFAULT_SCHEDULING_LOOKAHEAD = 3;

/** `PARENT_SEARCH_DEPTH` of the aura collators. */
export const PARENT_SEARCH_DEPTH = 30;

/**
 * `find_parent`: the potential parents with `ancestry_lookback = scheduling_lookahead - 1`,
 * depth 30 and alternative branches ignored; returns the included block's header and the
 * deepest potential parent (the last of equal maxima, as Rust's `max_by_key`). Null when the
 * search fails or finds no included block.
 */
export function findParent(
  relayParent: Hash,
  paraId: ParaId,
  backend: ParaBackend,
  relayClient: RelayChainInterface,
  schedulingLookahead: number = DEFAULT_SCHEDULING_LOOKAHEAD,
): { readonly included: ParaBlockHeader; readonly parent: PotentialParent } | null {
  const found = findPotentialParents(
    {
      relayParent,
      paraId,
      ancestryLookback: Math.max(schedulingLookahead - 1, 0),
      maxDepth: PARENT_SEARCH_DEPTH,
      ignoreAlternativeBranches: true,
    },
    backend,
    relayClient,
  );
  if (!found.ok) return null;
  const included = found.value.find((p) => p.depth === 0);
  if (included === undefined) return null;
  return { included: included.header, parent: deepest(found.value)! };
}

/** Rust's `max_by_key(|p| p.depth)`: the LAST of equal maxima; undefined for an empty list. */
export function deepest(parents: readonly PotentialParent[]): PotentialParent | undefined {
  let best: PotentialParent | undefined;
  for (const p of parents) if (best === undefined || p.depth >= best.depth) best = p;
  return best;
}

/**
 * The collator side of `can_build_upon` (collators/mod.rs), after the slot claim: building on
 * the included block itself is always allowed (the runtime cannot know its hash yet); otherwise
 * the runtime API decides, queried with the relay slot when `AuraUnincludedSegmentApi` is newer
 * than version 1, else with the para slot.
 */
export function collatorCanBuildUpon(
  parentHash: Hash,
  includedBlock: Hash,
  paraSlot: number,
  relaySlot: number,
  auraUnincludedSegmentApiVersion: number,
  runtimeCanBuildUpon: (includedHash: Hash, slot: number) => boolean,
): boolean {
  if (parentHash === includedBlock) return true;
  const slot = auraUnincludedSegmentApiVersion > 1 ? relaySlot : paraSlot;
  return runtimeCanBuildUpon(includedBlock, slot);
}
