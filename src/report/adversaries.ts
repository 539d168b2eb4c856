/**
 * The run report's adversary figures (docs/report.md "Adversaries"), present only when the
 * scenario names adversaries (a run without them keeps its report unchanged):
 * - `adversaries`: the acts per kind (what the dishonest actors did), and what the honest side
 *   did about them: the misbehaviour the backers' statement tables reported, the bitfields and
 *   candidates the relay runtime's filters dropped from the inherents offered (by reason), the
 *   approval checks that found a candidate invalid.
 * - `invalidCandidates`: every candidate a dishonest collator made bad that got backed on chain
 *   (only beyond the budget), with the blocks that backed and included it and whether it was
 *   finalized (approval checking must hold finality back before it: disputes are not modelled).
 *   Always present (possibly empty) when there are adversaries.
 *
 * Observation only: it reads the world's records after the run.
 */
import type { Hash } from "../lib/hex.ts";
import type { InvalidCandidateRecord } from "../sim/adversaries.ts";
import type { World } from "../sim/world.ts";

export interface AdversaryReport {
  /** Acts of misbehaviour per adversary kind. */
  readonly acts: Readonly<Record<string, number>>;
  /** `malicious-author`'s acts by what it did to its offers. */
  readonly authorActs: {
    readonly underBacked: number;
    readonly forgedBitfields: number;
    readonly wrongOrder: number;
  };
  /** Bad candidates the dishonest collators advertised, per kind. */
  readonly badCandidates: Readonly<Record<string, number>>;
  /** Fetched collations the validators' collator protocol refused, by `SecondingError`. */
  readonly refusedCollations: Readonly<Record<string, number>>;
  /** Invalid verdicts of the validators' candidate validation (backing and approval), by code. */
  readonly invalidVerdicts: Readonly<Record<string, number>>;
  /** Misbehaviour the honest backers' statement tables reported (sum over validators), by kind. */
  readonly misbehaviorReports: Readonly<Record<string, number>>;
  /** What the runtime's filters dropped from the inherents offered. */
  readonly runtimeDrops: {
    readonly bitfields: number;
    readonly candidates: Readonly<Record<string, number>>;
  };
  /** Approval checks (over all validators) that found their candidate invalid. */
  readonly approvalChecksInvalid: number;
  /**
   * Blocks the importers rejected (`paras_inherent::enter` failed with
   * `CandidatesFilteredDuringExecution`), by the reason the first candidate was filtered.
   */
  readonly rejectedBlocks: Readonly<Record<string, number>>;
}

export interface AdversaryFigures {
  readonly adversaries: AdversaryReport;
  readonly invalidCandidates: readonly InvalidCandidateRecord[];
}

const bump = (m: Record<string, number>, k: string, by = 1) => {
  m[k] = (m[k] ?? 0) + by;
};

/** The same counts, keys in order (the report is byte-for-byte deterministic either way). */
const sorted = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));

/** The figures, or null when the scenario names no adversary. */
export function adversaryFigures(world: World): AdversaryFigures | null {
  const adv = world.adversaries;
  if (!adv.any) return null;
  const acts: Record<string, number> = {};
  for (const [k, n] of [...adv.acts].sort(([a], [b]) => a.localeCompare(b))) acts[k] = n;
  const badCandidates: Record<string, number> = {};
  for (const kind of adv.badCandidates.values()) bump(badCandidates, kind);
  const misbehaviorReports: Record<string, number> = {};
  const refusedCollations: Record<string, number> = {};
  const invalidVerdicts: Record<string, number> = {};
  let approvalChecksInvalid = 0;
  for (const v of world.validators) {
    for (const [k, n] of v.backing.misbehaviorReports) bump(misbehaviorReports, k, n);
    for (const [k, n] of v.collatorProtocol.refusedCollations) bump(refusedCollations, k, n);
    for (const [k, n] of v.candidateValidation.invalidVerdicts) bump(invalidVerdicts, k, n);
    approvalChecksInvalid += v.approvalVoting?.invalidFound ?? 0;
  }
  const candidates: Record<string, number> = {};
  for (const [k, n] of [...adv.runtimeDrops.candidates].sort(([a], [b]) => a.localeCompare(b)))
    candidates[k] = n;
  const bitfields = adv.runtimeDrops.bitfields;
  return {
    adversaries: {
      acts,
      authorActs: { ...adv.authorActs },
      badCandidates,
      refusedCollations: sorted(refusedCollations),
      invalidVerdicts: sorted(invalidVerdicts),
      misbehaviorReports: sorted(misbehaviorReports),
      runtimeDrops: { bitfields, candidates },
      approvalChecksInvalid,
      rejectedBlocks: sorted(Object.fromEntries(adv.rejectedBlocks)),
    },
    invalidCandidates: invalidCandidates(world),
  };
}

/** The bad candidates backed on chain, in backing order (see the header). */
export function invalidCandidates(world: World): InvalidCandidateRecord[] {
  const bad = world.adversaries.badCandidates;
  const included = new Map<Hash, number>();
  for (const e of world.events)
    if (e.type === "CandidateIncluded" && bad.has(e.candidateHash))
      included.set(e.candidateHash, e.relayBlock);
  const out: InvalidCandidateRecord[] = [];
  const finalized = world.finality.finalized;
  for (const e of world.events) {
    if (e.type !== "CandidateBacked" || !bad.has(e.candidateHash)) continue;
    const includedIn = included.get(e.candidateHash) ?? null;
    out.push({
      paraId: e.paraId,
      candidateHash: e.candidateHash,
      backedIn: e.relayBlock,
      includedIn,
      finalized: includedIn !== null && includedIn <= finalized,
    });
  }
  return out;
}

/** The summary's clause about adversaries, or null without them. */
export function adversaryStatus(f: AdversaryFigures): string {
  const total = Object.values(f.adversaries.acts).reduce((a, b) => a + b, 0);
  const inv = f.invalidCandidates;
  const fin = inv.filter((c) => c.finalized).length;
  if (inv.length === 0) return `adversaries: ${total} acts, no invalid candidate backed`;
  return (
    `adversaries: ${total} acts, ${inv.length} invalid candidates backed, ` +
    `${inv.filter((c) => c.includedIn !== null).length} included, ${fin} finalized` +
    (fin === 0 ? " (approval checking held finality back)" : "")
  );
}
