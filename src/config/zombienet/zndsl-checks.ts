/**
 * What a network's `.zndsl` means for a parapipe run (docs/import.md): the cores its
 * `assign-core.js` lines give each para, and the assertions parapipe can measure as timed `expect:`
 * checks (src/config/expectations.ts), in the file's order, each with the window it states;
 * every other line is listed as not checked, with the reason. Pure; `parseZndsl` reads the file.
 *
 * Simplifications, each stated where it applies (and in docs/import.md):
 * - a line parapipe does not check takes no virtual time: the next check starts where the last
 *   checked one ended (which makes an "at least" check after it stricter, never laxer);
 * - cores that `assign-core.js` assigns during the test are the para's from genesis (the script's
 *   time and the assignment's delay are not modelled);
 * - a para registered after genesis is simulated from genesis, so its height would run ahead of
 *   the real network's: checks on it are listed as not checked, and so is every check after a
 *   line that waits on it (zombienet starts the next line when that wait ends, which parapipe
 *   cannot know).
 */
import { err, ok, type Result } from "../../lib/result.ts";
import type { Comparison, Zndsl, ZndslLine } from "./zndsl.ts";

/** The network's nodes by the names a .zndsl uses (a group's name stands for all its nodes). */
export interface NetworkNodes {
  /** Relay-chain nodes: validators and full nodes (`validator = false`). */
  readonly relay: ReadonlyMap<string, "validator" | "full">;
  /** Para nodes: a collator's index among its para's collators, or null for a full node. */
  readonly para: ReadonlyMap<string, { readonly paraId: number; readonly index: number | null }>;
}

export interface ParaFacts {
  readonly id: number;
  readonly atGenesis: boolean;
  /** Line of the key that registers it after genesis, when it is not at genesis. */
  readonly lateLine: number | null;
  readonly collators: number;
}

export interface NotChecked {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface ZndslChecks {
  /** The timed checks, in order, in the `expect:` grammar. */
  readonly expect: readonly string[];
  /** Their .zndsl lines, in the same order. */
  readonly expectLines: readonly number[];
  readonly notChecked: readonly NotChecked[];
  /** Cores per para from the `assign-core.js` lines (a core assigned twice counts once). */
  readonly cores: ReadonlyMap<number, number>;
  /** The `assign-core.js` lines per para. */
  readonly coreLines: ReadonlyMap<number, readonly number[]>;
  /** The virtual time every check takes at most (each its whole window), ms. */
  readonly worstCaseMs: number;
}

/** zombienet's default window when a line has no `within` (DEFAULT_INDIVIDUAL_TEST_TIMEOUT). */
export const DEFAULT_WITHIN_S = 10;

const BEST: readonly string[] = [
  "blockheight",
  "block height",
  "best block",
  'block_height{status="best"}',
];
const FINALIZED: readonly string[] = [
  "finalised height",
  "finalised block",
  'block_height{status="finalized"}',
];
/** A metric name without its `substrate_` prefix (zombienet strips the namespace). */
const bare = (metric: string): string => metric.replace(/^substrate_/, "");

const cmpText = (c: Comparison): string => `${c.op} ${c.value}`;

/** `assign-core.js` arguments: `core,para,parts` or the older `para,core`. */
function assignment(args: string | null): { core: number; paraId: number } | null {
  const parts = (args ?? "").split(",").map((s) => s.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  if (parts.length === 3) return { core: Number(parts[0]), paraId: Number(parts[1]) };
  if (parts.length === 2) return { core: Number(parts[1]), paraId: Number(parts[0]) };
  return null;
}

export function zndslChecks(
  z: Zndsl,
  nodes: NetworkNodes,
  paras: readonly ParaFacts[],
): Result<ZndslChecks, { line: number; reason: string }> {
  const expect: string[] = [];
  const expectLines: number[] = [];
  const notChecked: NotChecked[] = [];
  const coreOwner = new Map<number, number>();
  const coreLines = new Map<number, number[]>();
  const registeredLater = new Map<number, number>();
  const byId = new Map(paras.map((p) => [p.id, p]));
  let worstCaseMs = 0;
  let pendingWaitS = 0;
  let pendingWaitLine = 0;
  /** The first not-checked line that waits on a para registered after genesis, if any. */
  let lateWait: { line: number; paraId: number; withinS: number } | null = null;

  const skip = (l: ZndslLine, reason: string): void => {
    notChecked.push({ line: l.line, text: l.text, reason });
  };
  const check = (l: ZndslLine, text: string, windowS: number): void => {
    if (lateWait !== null) {
      // zombienet starts this line when the late para's wait ends, which no run here can time.
      const { line, paraId, withinS } = lateWait;
      const reason = `it starts when line ${line} ends, a wait of up to ${withinS} s on para ${paraId} (registered after genesis) that parapipe does not check, so when it starts is not known`;
      if (pendingWaitS > 0) {
        notChecked.push({ line: pendingWaitLine, text: `sleep ${pendingWaitS}s`, reason });
        pendingWaitS = 0;
      }
      skip(l, reason);
      return;
    }
    if (pendingWaitS > 0) {
      expect.push(`wait ${pendingWaitS} s`);
      expectLines.push(pendingWaitLine);
      worstCaseMs += pendingWaitS * 1000;
      pendingWaitS = 0;
    }
    expect.push(text);
    expectLines.push(l.line);
    worstCaseMs += windowS * 1000;
  };
  /** Why a para's checks cannot be measured, or null. */
  const paraProblem = (paraId: number): string | null => {
    const p = byId.get(paraId);
    if (p === undefined) return `para ${paraId} is not in the network`;
    const later = registeredLater.get(paraId);
    if (later !== undefined) {
      return `para ${paraId} is registered during the test (line ${later}); parapipe simulates it from genesis, so its height would run ahead of the real network's`;
    }
    if (!p.atGenesis) {
      return `para ${paraId} is registered after genesis${p.lateLine === null ? "" : ` (line ${p.lateLine} of the network)`}; parapipe simulates it from genesis, so its height would run ahead of the real network's`;
    }
    return null;
  };
  /** Skip a line on a para parapipe cannot measure; a wait on a late para hides later starts. */
  const skipPara = (l: ZndslLine, paraId: number, problem: string, withinS: number): void => {
    skip(l, problem);
    const late = registeredLater.has(paraId) || byId.get(paraId)?.atGenesis === false;
    if (late && lateWait === null) lateWait = { line: l.line, paraId, withinS };
  };
  const relayNode = (l: ZndslLine & { node: string }): "validator" | "full" | null =>
    nodes.relay.get(l.node) ?? null;

  for (const l of z.lines) {
    const within = "withinS" in l ? (l.withinS ?? DEFAULT_WITHIN_S) : 0;
    switch (l.kind) {
      case "sleep":
        if (pendingWaitS === 0) pendingWaitLine = l.line;
        pendingWaitS += l.seconds;
        continue;
      case "unparsed":
        skip(l, "not a line zombienet's grammar accepts");
        continue;
      case "other":
        skip(l, `${l.what}: not modelled by parapipe`);
        continue;
      case "isUp":
        skip(l, "whether a node's process is up: every simulated node is, so it measures nothing");
        continue;
      case "script": {
        const name = l.file.replace(/^.*\//, "");
        if (name === "assign-core.js") {
          const a = assignment(l.args);
          if (a === null) {
            return err({
              line: l.line,
              reason: `assign-core.js: expected "core,para,parts" or "para,core" (integers), got ${JSON.stringify(l.args)}`,
            });
          }
          if (!byId.has(a.paraId)) {
            return err({
              line: l.line,
              reason: `assign-core.js assigns core ${a.core} to para ${a.paraId}, which is not in the network`,
            });
          }
          coreOwner.set(a.core, a.paraId);
          coreLines.set(a.paraId, [...(coreLines.get(a.paraId) ?? []), l.line]);
          continue;
        }
        if (name === "register-para.js" && l.args !== null && /^\d+$/.test(l.args.trim())) {
          const paraId = Number(l.args.trim());
          registeredLater.set(paraId, l.line);
          skipPara(
            l,
            paraId,
            `registers para ${paraId} during the test, which parapipe does not model`,
            within,
          );
          continue;
        }
        skip(
          l,
          `a ${l.runner} parapipe cannot run (${l.file}): the checks after it run on the network without what it does`,
        );
        continue;
      }
      case "paraRegistered": {
        const problem = paraProblem(l.paraId);
        if (problem !== null) skipPara(l, l.paraId, problem, within);
        else if (relayNode(l) === null)
          skip(l, `${l.node} is not a relay-chain node of the network`);
        else check(l, `para ${l.paraId} registered within ${within} s`, within);
        continue;
      }
      case "paraBlockHeight": {
        const problem = paraProblem(l.paraId);
        if (problem !== null) skipPara(l, l.paraId, problem, within);
        else if (relayNode(l) === null) {
          skip(
            l,
            `${l.node} is not a relay-chain node: zombienet reads paras.heads through the node's RPC`,
          );
        } else check(l, `para ${l.paraId} height ${cmpText(l.cmp)} within ${within} s`, within);
        continue;
      }
      case "report": {
        const metric = bare(l.metric);
        const finalized = FINALIZED.includes(metric);
        if (!finalized && !BEST.includes(metric)) {
          skip(l, `the node metric ${l.metric} is not modelled by parapipe`);
          continue;
        }
        const relay = relayNode(l);
        if (relay !== null) {
          const subject = finalized ? "relay finalized height" : "relay height";
          check(l, `${subject} ${cmpText(l.cmp)} within ${within} s`, within);
          continue;
        }
        const p = nodes.para.get(l.node);
        if (p === undefined) {
          skip(l, `${l.node} is not a node of the network`);
        } else if (finalized) {
          skip(
            l,
            `${l.node} is a para node: its finalized height is its parachain's own (cumulus finalizes the para head of the relay chain's finalized block), which parapipe does not model`,
          );
        } else if (p.index === null) {
          skip(l, `${l.node} is a para full node, whose import of blocks parapipe does not model`);
        } else {
          const problem = paraProblem(p.paraId);
          const para = byId.get(p.paraId)!;
          if (problem !== null) skipPara(l, p.paraId, problem, within);
          else if (para.collators > 1) {
            skip(
              l,
              `para ${p.paraId} has ${para.collators} collators: parapipe records the blocks a collator authors, not those it imports from the others`,
            );
          } else {
            check(
              l,
              `para ${p.paraId} collator ${p.index} height ${cmpText(l.cmp)} within ${within} s`,
              within,
            );
          }
        }
        continue;
      }
    }
  }
  if (pendingWaitS > 0) {
    notChecked.push({
      line: pendingWaitLine,
      text: `sleep ${pendingWaitS}s`,
      reason: "no check follows it",
    });
  }
  const cores = new Map<number, number>();
  for (const paraId of coreOwner.values()) cores.set(paraId, (cores.get(paraId) ?? 0) + 1);
  return ok({ expect, expectLines, notChecked, cores, coreLines, worstCaseMs });
}
