/**
 * A small network of `ValidatorNode`s on a `FakeWorld`, a fake collator that serves one
 * collation, and the default relay chain of the node tests: 4 validators in 2 groups of 2,
 * 2 cores (core 0 claimed by para 2000, core 1 by para 2001), no group rotation.
 */

import type { Actor, PvfHost } from "../../src/actors/env.ts";
import type { ActorId, Collation, ProtocolMessage } from "../../src/actors/protocol.ts";
import type { Generation } from "../../src/config/generation.ts";
import { ValidatorNode } from "../../src/node/validator.ts";
import type { HeadData } from "../../src/primitives/codecs.ts";
import { hashHex } from "../../src/primitives/hashing.ts";
import type { BackingState, CoreState, RelayHeader } from "../../src/primitives/runtime-api.ts";
import { FakeWorld, fakePvf } from "./fake-env.ts";
import {
  type ApiSpec,
  chain,
  constraints,
  type MadeCandidate,
  makeApi,
  makeCandidate,
  occupied,
} from "./fake-relay.ts";

export const PARA = 2000;
export const OTHER_PARA = 2001;
export const H0: HeadData = "0x00aa";
export const N_VALIDATORS = 4;
export const GROUPS = [
  [0, 1],
  [2, 3],
] as const;

export type ApiOverrides = Partial<Omit<ApiSpec, "header" | "nValidators">>;

export interface Network {
  readonly world: FakeWorld;
  readonly nodes: ValidatorNode[];
  readonly blocks: RelayHeader[];
}

/** The default backing state of a para at block `n`: head H0, nothing pending. */
export function freeState(n: number): BackingState {
  return { constraints: constraints(H0, Math.max(n - 2, 0)), pendingAvailability: [] };
}

export function makeNetwork(
  opts: {
    readonly blocks?: number;
    readonly api?: (h: RelayHeader) => ApiOverrides;
    readonly pvf?: PvfHost;
    readonly validators?: readonly number[];
    /** Announcements as lazily materialised gossip (`FakeWorld.lazyAnnouncements`). */
    readonly lazyAnnouncements?: boolean;
    /** Chunk fetches as lazily computed request/response (`FakeWorld.lazyChunks`). */
    readonly lazyChunks?: boolean;
    /** The validators' node rules (default: `FakeWorld`'s, 2024). */
    readonly generation?: Generation;
  } = {},
): Network {
  const world = new FakeWorld(N_VALIDATORS);
  if (opts.generation !== undefined) world.generation = opts.generation;
  world.lazyAnnouncements = opts.lazyAnnouncements ?? false;
  world.lazyChunks = opts.lazyChunks ?? false;
  const blocks = chain(opts.blocks ?? 4);
  for (const h of blocks) {
    const cores: CoreState[] = [
      { kind: "Scheduled", paraId: PARA },
      { kind: "Scheduled", paraId: OTHER_PARA },
    ];
    world.addBlock(
      makeApi({
        header: h,
        nValidators: N_VALIDATORS,
        groups: GROUPS,
        cores,
        claimQueue: new Map([
          [0, [PARA, PARA, PARA]],
          [1, [OTHER_PARA, OTHER_PARA, OTHER_PARA]],
        ]),
        backingStates: new Map([
          [PARA, freeState(h.number)],
          [OTHER_PARA, freeState(h.number)],
        ]),
        ...opts.api?.(h),
      }),
    );
  }
  const nodes: ValidatorNode[] = [];
  for (const i of opts.validators ?? [0, 1, 2, 3]) {
    const node = new ValidatorNode(world.validatorEnv(i, opts.pvf ?? fakePvf));
    nodes[i] = node;
    world.actors.set(node.id, node);
  }
  return { world, nodes, blocks };
}

/** A collator that serves the collations it was given and records what validators told it. */
export class FakeCollator implements Actor {
  readonly seconded: { from: ActorId; candidateHash: string }[] = [];
  readonly collations = new Map<string, Collation>();

  constructor(
    readonly id: ActorId,
    private readonly world: FakeWorld,
  ) {
    world.actors.set(id, this);
  }

  offer(c: MadeCandidate): void {
    this.collations.set(c.candidateHash, {
      candidateHash: c.candidateHash,
      receipt: c.receipt,
      pov: c.pov,
      parentHeadData: c.parentHead,
    });
  }

  advertise(to: ActorId, c: MadeCandidate): void {
    this.offer(c);
    this.world.send(this.id, to, {
      type: "AdvertiseCollation",
      relayParent: c.receipt.descriptor.relayParent,
      paraId: c.receipt.descriptor.paraId,
      candidateHash: c.candidateHash,
      parentHeadDataHash: hashHex(c.parentHead),
    });
  }

  onMessage(from: ActorId, msg: ProtocolMessage): void {
    if (msg.type === "CollationFetchRequest") {
      this.world.send(this.id, from, {
        type: "CollationFetchResponse",
        candidateHash: msg.candidateHash,
        collation: this.collations.get(msg.candidateHash) ?? null,
      });
    } else if (msg.type === "CollationSeconded") {
      this.seconded.push({ from, candidateHash: msg.candidateHash });
    }
  }
}

/** The availability fixture's candidates: P (para 2000) and Q (para 2001) on relay block 0. */
export function availabilityCandidates(): { readonly P: MadeCandidate; readonly Q: MadeCandidate } {
  const b0 = chain(1)[0]!;
  return {
    P: makeCandidate({ paraId: PARA, relayParent: b0, parentHead: H0, headData: "0x01" }),
    Q: makeCandidate({ paraId: OTHER_PARA, relayParent: b0, parentHead: H0, headData: "0x02" }),
  };
}

/**
 * The availability fixture: P and Q (`availabilityCandidates`) occupy cores 0 and 1 at block 1,
 * both backed by group 1 (validators 2 and 3). Nobody holds their data yet (`holdData`).
 */
export function occupiedNetwork(opts: { readonly lazyChunks?: boolean } = {}) {
  const { P, Q } = availabilityCandidates();
  const net = makeNetwork({
    lazyChunks: opts.lazyChunks ?? false,
    api: (h) =>
      h.number === 1
        ? {
            cores: [
              occupied(P, { nValidators: N_VALIDATORS, groupResponsible: 1 }),
              occupied(Q, { nValidators: N_VALIDATORS, groupResponsible: 1 }),
            ],
          }
        : {},
  });
  return { ...net, P, Q };
}

/** Validator `node` stores the whole data of `c` (a backer's `StoreAvailableData`) at `atUs`. */
export function holdData(node: ValidatorNode, c: MadeCandidate, atUs = 0): void {
  const stored = node.availabilityStore.storeAvailableData(
    c.candidateHash,
    { pov: c.pov, pvd: c.pvd, relayParent: c.receipt.descriptor.relayParent },
    atUs,
    {
      nValidators: N_VALIDATORS,
      erasureRoot: c.receipt.descriptor.erasureRoot,
      core: 0,
      chunkMapping: false,
    },
  );
  if (stored !== "Stored") throw new Error(`holdData: ${stored}`);
}
