/**
 * The upgrade rehearsal's figures (`parapipe upgrade`, SCENARIO.md "Other commands' JSON"): per
 * phase of a scenario's `upgrades:` list, in the order run, the relay block where it took effect
 * and, from there to the next phase's, the block time (mean, p95) and the execution per relay
 * block; the stalls (4 or more relay blocks without a `CandidateIncluded` of the para) and the
 * runtime panics, with the relay block, the para and polkadot-sdk's message.
 *
 * Where a phase takes effect:
 * - a collator change: the relay block at which the nodes restart (`at`);
 * - a runtime upgrade: the relay block at which the relay chain enacts it, `expected_at =
 *   max(included_at + validationUpgradeDelay, included_at + minimumValidationUpgradeDelay)` of the
 *   candidate that scheduled it (the paras pallet's rule as `src/relay/paras.ts` runs it, code
 *   accepted at once), found in the records: the included block whose `set_code` was stored; null
 *   when no scheduling candidate was included (the upgrade never took effect).
 */

import type { Scenario, ScenarioUpgrade } from "../config/scenario.ts";
import { UPGRADE_PHASES, type UpgradePhase } from "../config/upgrade-phases.ts";
import { upgradeExpectedAt } from "../relay/paras.ts";
import type { RunOutcome } from "./run.ts";
import { stats } from "./run-report.ts";
import { formatTable, secondsText, type Table, type TableFormat } from "./table.ts";

export interface PhaseFigures {
  readonly name: string;
  /** Where it took effect (absolute relay block number), null if it never did. */
  readonly fromRelayBlock: number | null;
  /** The phase's last relay block (inclusive): the next phase's start - 1, or the run's end. */
  readonly toRelayBlock: number;
  readonly blockTimeMs: { readonly mean: number; readonly p95: number } | null;
  readonly executionMsPerRelayBlock: number | null;
}

export interface Rehearsal {
  readonly paraId: number;
  readonly phases: readonly PhaseFigures[];
  readonly stalls: readonly { fromRelayBlock: number; toRelayBlock: number; paraId: number }[];
  readonly panics: readonly { relayBlock: number; paraId: number; message: string }[];
}

/** A stall is this many relay blocks or more without an inclusion of the para. */
export const STALL_RELAY_BLOCKS = 4;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** An upgrade's name in the figures: the guide's phase, or what it changes. */
function nameOf(u: ScenarioUpgrade): string {
  if (u.phase !== undefined) return `phase-${u.phase}`;
  return u.runtime !== undefined ? `runtime@${u.at}` : `collator@${u.at}`;
}

function isRuntimeUpgrade(u: ScenarioUpgrade): boolean {
  return (
    u.runtime !== undefined ||
    (u.phase !== undefined && UPGRADE_PHASES[u.phase as UpgradePhase].runtime !== undefined)
  );
}

/** The rehearsal's figures for the scenario's first para (or the para its upgrades name). */
export function rehearsal(
  scenario: Scenario,
  outcome: RunOutcome,
  /** The name of the stretch before the first phase ("sync" for the default rehearsal). */
  initialName = "given",
): Rehearsal {
  const paraId = scenario.upgrades[0]?.para ?? scenario.parachains[0]!.id;
  const hc = scenario.relay.hostConfiguration;
  const slotMs = scenario.relay.slotDurationMs;
  const first = scenario.warmupRelayBlocks + 1;
  const last = scenario.warmupRelayBlocks + scenario.relayBlocks;
  const { world, report } = outcome;
  const included = world.events.filter(
    (e) => e.type === "CandidateIncluded" && e.paraId === paraId,
  );
  const includedAt = new Map(included.map((e) => [e.headHash, e.relayBlock] as const));

  // Runtime upgrades take effect at expected_at of their scheduling candidates, in order.
  const scheduled = [...world.blocks.values()]
    .filter(
      (b) =>
        b.paraId === paraId &&
        b.setCode === "ValidationFunctionStored" &&
        includedAt.has(b.headHash),
    )
    .map((b) => includedAt.get(b.headHash)!)
    .sort((a, b) => a - b)
    // The relay chain's own rule (code accepted in the block that included it).
    .map((at) => upgradeExpectedAt(at, at, hc));
  let nextScheduled = 0;
  const ups = scenario.upgrades.filter((u) => (u.para ?? scenario.parachains[0]!.id) === paraId);
  const effective = ups.map((u) => {
    if (!isRuntimeUpgrade(u)) return { name: nameOf(u), from: u.at as number | null };
    const from = scheduled[nextScheduled] ?? null;
    nextScheduled++;
    return { name: nameOf(u), from };
  });

  const starts = [{ name: initialName, from: first as number | null }, ...effective];
  const phases: PhaseFigures[] = starts.map((p, i) => {
    const later = starts
      .slice(i + 1)
      .map((q) => q.from)
      .filter((n): n is number => n !== null);
    const to = Math.min(last + 1, ...later);
    if (p.from === null || p.from >= to) {
      return {
        name: p.name,
        fromRelayBlock: p.from,
        toRelayBlock: to - 1,
        blockTimeMs: null,
        executionMsPerRelayBlock: null,
      };
    }
    const from = p.from;
    const gaps: number[] = [];
    let executionUs = 0;
    for (let k = 1; k < included.length; k++) {
      const e = included[k]!;
      if (e.relayBlock < from || e.relayBlock >= to) continue;
      const a = world.blocks.get(included[k - 1]!.headHash);
      const b = world.blocks.get(e.headHash);
      if (a && b) gaps.push(b.timestampMs - a.timestampMs);
      if (b) executionUs += b.weightUs;
    }
    const s = stats(gaps);
    return {
      name: p.name,
      fromRelayBlock: from,
      toRelayBlock: to - 1,
      blockTimeMs: s === null ? null : { mean: s.mean, p95: s.p95 },
      executionMsPerRelayBlock: round3(executionUs / 1000 / (to - from)),
    };
  });

  const stalls: Rehearsal["stalls"][number][] = [];
  let previous = first - 1;
  for (const n of [
    ...included.map((e) => e.relayBlock).filter((n) => n >= first && n <= last),
    last + 1,
  ]) {
    if (n - previous - 1 >= STALL_RELAY_BLOCKS) {
      stalls.push({ fromRelayBlock: previous + 1, toRelayBlock: n - 1, paraId });
    }
    previous = Math.max(previous, n);
  }

  const panics = report.safety.runtimePanics
    .filter((p) => p.paraId === paraId)
    .map((p) => ({
      relayBlock: Math.floor(p.atMs / slotMs),
      paraId: p.paraId,
      message: p.message,
    }));
  // One line per distinct panic message and relay block (every collator hits the same).
  const seen = new Set<string>();
  const distinct = panics.filter((p) => {
    const key = `${p.relayBlock}/${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { paraId, phases, stalls, panics: distinct };
}

/** Where polkadot-sdk writes the rule a runtime panic message comes from. */
const PANIC_RULES: readonly (readonly [RegExp, string])[] = [
  [
    /Slot must (increase|not decrease)/,
    "pallet_aura on_initialize (substrate/frame/aura/src/lib.rs): the Aura slot of each block must exceed (or, with AllowMultipleBlocksPerSlot, not fall below) the previous block's; slot numbers are timestamps divided by SlotDuration, so lengthening the slot duration makes them fall",
  ],
  [
    /Timestamp slot must match/,
    "pallet_aura on_timestamp_set (substrate/frame/aura/src/lib.rs): timestamp / SlotDuration must equal the block's Aura slot",
  ],
  [
    /Parachain slot must match relay-derived slot|slot number mismatch|too far in the future/,
    "cumulus aura-ext FixedVelocityConsensusHook (cumulus/pallets/aura-ext/src/consensus_hook.rs): the para slot must equal relay slot x RELAY_CHAIN_SLOT_DURATION_MILLIS / SlotDuration",
  ],
  [
    /authored blocks limit is reached/,
    "cumulus aura-ext FixedVelocityConsensusHook: at most velocity + 1 blocks per relay slot",
  ],
  [
    /No space left for the block in the unincluded segment/,
    "cumulus parachain-system (unincluded segment capacity, SEMANTICS.md 3.2.2)",
  ],
  [
    /Relay chain block number needs to strictly increase/,
    "cumulus parachain-system RelayNumberStrictlyIncreases: several blocks on one relay parent need RelayNumberMonotonicallyIncreases",
  ],
  [
    /expected parent to be included/,
    "cumulus parachain-system ExpectParentIncluded (a sync-backing runtime builds only on the included parent)",
  ],
];

/** The rule a runtime panic message comes from, or null. */
export function ruleOfPanic(message: string): string | null {
  for (const [re, rule] of PANIC_RULES) if (re.test(message)) return rule;
  return null;
}

/** The rehearsal's table: one row per phase. */
export function rehearsalTable(r: Rehearsal): Table {
  return {
    header: [
      `para ${r.paraId}: phase`,
      "from relay block",
      "to",
      "block time mean",
      "p95",
      "execution per relay block",
    ],
    rows: r.phases.map((p) => [
      p.name,
      p.fromRelayBlock === null ? "never" : `#${p.fromRelayBlock}`,
      p.fromRelayBlock === null ? "-" : `#${p.toRelayBlock}`,
      secondsText(p.blockTimeMs?.mean),
      secondsText(p.blockTimeMs?.p95),
      p.executionMsPerRelayBlock === null ? "-" : `${Math.round(p.executionMsPerRelayBlock)} ms`,
    ]),
  };
}

/** The lines under the table: the stalls (or that there was none), then the panics with their rules. */
export function rehearsalNotes(r: Rehearsal): string[] {
  const out: string[] = [];
  if (r.stalls.length === 0) out.push("no stall (4 or more relay blocks without an inclusion)");
  for (const s of r.stalls) {
    out.push(
      `STALL para ${s.paraId}: no inclusion in relay blocks #${s.fromRelayBlock}..#${s.toRelayBlock}`,
    );
  }
  // Panics with the same message, grouped: the first and last relay block and how many.
  const groups = new Map<string, { first: number; last: number; count: number; paraId: number }>();
  for (const p of r.panics) {
    const key = `${p.paraId}/${p.message}`;
    const g = groups.get(key);
    if (g === undefined)
      groups.set(key, { first: p.relayBlock, last: p.relayBlock, count: 1, paraId: p.paraId });
    else {
      g.last = p.relayBlock;
      g.count++;
    }
  }
  for (const [key, g] of groups) {
    const message = key.slice(key.indexOf("/") + 1);
    const where =
      g.count === 1
        ? `relay block #${g.first}`
        : `relay blocks #${g.first}..#${g.last} (${g.count} blocks)`;
    const rule = ruleOfPanic(message);
    out.push(
      `PANIC para ${g.paraId} at ${where}: ${message.split("\n")[0]}${rule ? `\n  rule: ${rule}` : ""}`,
    );
  }
  return out;
}

/**
 * The rehearsal as text or Markdown: one row per phase, then stalls and panics with their rules
 * (as a list in Markdown). As CSV, the table alone.
 */
export function formatRehearsal(r: Rehearsal, format: TableFormat = "text"): string {
  const table = formatTable(rehearsalTable(r), format);
  if (format === "csv") return table;
  const notes = rehearsalNotes(r);
  if (format === "text") return [table, ...notes].join("\n");
  // A panic's rule is on its own line, indented: the list item's continuation.
  return [table, "", ...notes.map((n) => `- ${n}`)].join("\n");
}
