/**
 * What the trace records of a relay block: every protocol decision the safety checkers read, so
 * that a run which decides anything differently (backs with one vote fewer, carries one bit
 * more, drops a candidate for another reason, offers another candidate) ends with another trace
 * hash. Per block:
 * - `backed`: each backed candidate the block carries, in order: its hash, the core it was
 *   backed on (its `CandidateBacked` event) and its `validator_indices` bits (the group
 *   positions of its votes, then the injected core index when `ElasticScalingMVP` is on);
 * - `bitfields`: each bitfield the block carries: the validator and its bits;
 * - `events`: each inclusion event (kind, para, candidate, core);
 * - `dropped`: each candidate the runtime dropped from the offer, with its stage and reason;
 * - `offered`: the author's offer (the candidates and the validators whose bitfields it put in)
 *   and the provisioner's decision (available and timed-out candidates, free cores and what was
 *   requested per para, code-upgrade drops).
 * Bits are written as strings of `0`/`1`, a compact form of the bit vectors.
 *
 * Invariant: a pure function of what `applyBlock` and the provisioner returned; it reads no
 * clock and changes nothing.
 */
import type { ProvisionerDecision } from "../node/core/provisioner.ts";
import { candidateHash } from "../primitives/candidate.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import type { DroppedCandidate } from "../relay/paras-inherent.ts";
import type { RelayEvent } from "../relay/state.ts";
import type { TraceDetail } from "./trace.ts";

function bitString(bits: readonly boolean[]): string {
  let out = "";
  for (const b of bits) out += b ? "1" : "0";
  return out;
}

/** The trace detail of relay block `header`. */
export function relayBlockTraceDetail(block: {
  readonly header: RelayHeader;
  readonly offered: ParachainsInherentData;
  readonly accepted: ParachainsInherentData;
  readonly events: readonly RelayEvent[];
  readonly dropped: readonly DroppedCandidate[];
  readonly decision: ProvisionerDecision | null;
}): TraceDetail {
  const backedOn = new Map<string, number>();
  for (const e of block.events)
    if (e.kind === "CandidateBacked") backedOn.set(e.candidateHash, e.core);
  const d = block.decision;
  return {
    number: block.header.number,
    hash: block.header.hash,
    backed: block.accepted.backedCandidates.map((b) => {
      const hash = candidateHash(b.candidate);
      return [hash, backedOn.get(hash) ?? null, bitString(b.validatorIndices)];
    }),
    bitfields: block.accepted.bitfields.map((b) => [b.validatorIndex, bitString(b.payload)]),
    events: block.events.map((e) =>
      e.kind === "UpwardMessagesReceived"
        ? [e.kind, e.from, e.count]
        : [e.kind, e.paraId, e.candidateHash, e.core],
    ),
    dropped: block.dropped.map((c) => [c.candidateHash, c.stage, c.reason]),
    offered: {
      backed: block.offered.backedCandidates.map((b) => candidateHash(b.candidate)),
      bitfields: block.offered.bitfields.map((b) => b.validatorIndex),
      decision:
        d === null
          ? null
          : {
              parent: d.parent,
              available: d.availableCandidates,
              timedOut: d.timedOutCandidates,
              freeCores: [...d.freeCores].sort((a, b) => a[0] - b[0]),
              requested: [...d.requested]
                .sort((a, b) => a[0] - b[0])
                .map(([para, list]) => [para, list.map((c) => c.candidateHash)]),
              droppedForCodeUpgrade: d.droppedForCodeUpgrade,
            },
    },
  };
}
