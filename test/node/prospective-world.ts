/**
 * A relay chain for prospective-parachains tests: the given blocks, two groups of two among four
 * validators, core 0 scheduled for one para (claim queue `claims`), the para's backing state per
 * block from `state`; and prospective-parachains subsystems over it, each with an `activate(n)`
 * that makes block n its only active leaf.
 */
import type { Hash } from "../../src/lib/hex.ts";
import { ProspectiveSharing } from "../../src/node/core/prospective-parachains/sharing.ts";
import { ProspectiveParachains } from "../../src/node/core/prospective-parachains/subsystem.ts";
import { BlockContexts } from "../../src/node/util/block-context.ts";
import type { ParaId } from "../../src/primitives/codecs.ts";
import type { BackingState, RelayHeader } from "../../src/primitives/runtime-api.ts";
import { FakeWorld } from "./fake-env.ts";
import { makeApi } from "./fake-relay.ts";

export function prospectiveWorld(opts: {
  readonly blocks: readonly RelayHeader[];
  readonly para: ParaId;
  readonly claims: readonly ParaId[];
  readonly state: (n: number) => BackingState | null;
  readonly allowedAncestryLen: number;
  readonly maxCandidateDepth?: number;
}) {
  const world = new FakeWorld(4);
  for (const h of opts.blocks) {
    const state = opts.state(h.number);
    world.addBlock(
      makeApi({
        header: h,
        nValidators: 4,
        groups: [
          [0, 1],
          [2, 3],
        ],
        cores: [{ kind: "Scheduled", paraId: opts.para }],
        claimQueue: new Map([[0, [...opts.claims]]]),
        backingStates: new Map(state === null ? [] : [[opts.para, state]]),
        allowedAncestryLen: opts.allowedAncestryLen,
        maxCandidateDepth: opts.maxCandidateDepth ?? 3,
      }),
    );
  }
  // The validators of one world share their computations, as the simulator's do.
  const contexts = new BlockContexts();
  const sharing = new ProspectiveSharing();
  /** A prospective-parachains subsystem of validator `name`. */
  const subsystem = (name: string) => {
    const pp = new ProspectiveParachains(
      world.relayChain,
      world.log(name),
      contexts,
      sharing,
      world.generation,
    );
    let leaf: Hash | null = null;
    const activate = (n: number) => {
      const hash = opts.blocks[n]!.hash;
      pp.activeLeavesUpdate(hash, leaf === null ? [] : [leaf]);
      leaf = hash;
    };
    return { pp, activate };
  };
  return { world, subsystem };
}
