/**
 * `parapipe upgrade [SCENARIO] [--order 3,1,2] [--json]`: the async backing upgrade guide,
 * rehearsed. Without a scenario: the `async` preset's relay chain (the guide's prerequisite) with
 * the `sync` preset's parachain for 120 relay blocks, the guide's phases at relay blocks 20, 50
 * and 80 (`--order` reorders them). With a scenario: its `upgrades:` list. Prints each phase's
 * figures from where it took effect, the stalls and the panics with their rules
 * (`src/report/upgrade.ts`): the phases table as text, `--markdown` or `--csv` (the table alone;
 * the stalls and panics then go to stderr), or JSON; `--report FILE.html` also writes the HTML
 * report (the block time with the phases marked). Exit 0: no stall, no panic, no safety
 * violation; 1: any of them; 2: bad input.
 */
import { PRESETS } from "../config/presets.ts";
import { runSeries } from "../report/html/series.ts";
import { type RunOutcome, runReportInput } from "../report/run.ts";
import { formatRehearsal, rehearsal, rehearsalNotes } from "../report/upgrade.ts";
import { checkReportPath, type OutputOptions, outputFormat, writeReport } from "./output.ts";
import {
  InputError,
  resolveSources,
  type SimulateOptions,
  type Source,
  simulate,
  sources,
} from "./targets.ts";

export interface UpgradeOptions
  extends Pick<SimulateOptions, "seed" | "relayBlocks" | "generation" | "progress" | "log">,
    OutputOptions {
  readonly order?: string;
}

/** The default rehearsal's phase blocks. */
export const DEFAULT_PHASE_BLOCKS = [20, 50, 80] as const;

/** Relay blocks of the report's pipeline chart before the last phase takes effect. */
const PIPELINE_LEAD_RELAY_BLOCKS = 6;

/** `--order 3,1,2`: a permutation of the three phases. */
function parseOrder(order: string | undefined): (1 | 2 | 3)[] {
  if (order === undefined) return [1, 2, 3];
  const parts = order.split(",").map((x) => x.trim());
  const phases = parts.map(Number);
  if (phases.length !== 3 || [...phases].sort().join(",") !== "1,2,3") {
    throw new InputError(
      `--order: expected a permutation of 1,2,3 (e.g. 3,1,2), got ${JSON.stringify(order)}`,
    );
  }
  return phases as (1 | 2 | 3)[];
}

/** The default rehearsal scenario with the phases in `order`. */
export function defaultRehearsal(order: readonly (1 | 2 | 3)[]): Record<string, unknown> {
  return {
    name: "upgrade-rehearsal",
    preset: "async",
    relayBlocks: 120,
    parachains: [PRESETS.sync.parachains[0]],
    upgrades: order.map((phase, i) => ({ at: DEFAULT_PHASE_BLOCKS[i], phase })),
  };
}

export async function upgradeCommand(
  files: readonly string[],
  opts: UpgradeOptions,
): Promise<number> {
  if (files.length > 1) throw new InputError("give at most one SCENARIO (see --help)");
  const format = outputFormat(opts);
  checkReportPath(opts.report);
  const order = parseOrder(opts.order);
  let source: Source;
  if (files.length === 0) {
    source = {
      label: "the default rehearsal",
      replay: "<the default rehearsal>",
      input: defaultRehearsal(order),
    };
  } else {
    const [file] = sources(files, []);
    const input = { ...file!.input };
    // `--order` reassigns the scenario's phases, in their list order.
    if (opts.order !== undefined && Array.isArray(input.upgrades)) {
      let k = 0;
      input.upgrades = (input.upgrades as Record<string, unknown>[]).map((u) =>
        u.phase === undefined ? u : { ...u, phase: order[k++ % 3] },
      );
    }
    source = { ...file!, input };
  }
  const targets = resolveSources([source], opts);
  let outcome: RunOutcome | undefined;
  const scenario = targets.scenarios[0]!;
  const { reports, violations } = await simulate(targets, opts, {
    keep: (o) => {
      outcome = o;
    },
  });
  const r = rehearsal(scenario, outcome!, files.length === 0 ? "sync" : "given");
  if (format === "json") {
    process.stdout.write(
      `${JSON.stringify({ phases: r.phases, stalls: r.stalls, panics: r.panics }, null, 2)}\n`,
    );
  } else if (format === "csv") {
    process.stdout.write(formatRehearsal(r, "csv"));
    for (const line of rehearsalNotes(r)) console.error(line);
  } else {
    console.log(formatRehearsal(r, format));
  }
  if (opts.report !== undefined) {
    // The pipeline chart shows the last phase with blocks taking effect (from a few relay
    // blocks before): after a stall there is nothing to draw.
    const starts = r.phases
      .filter((p) => p.blockTimeMs !== null)
      .map((p) => p.fromRelayBlock)
      .filter((n): n is number => n !== null);
    const lastPhase = starts[starts.length - 1];
    const series = runSeries(
      runReportInput(scenario, outcome!.world),
      lastPhase === undefined ? undefined : lastPhase - PIPELINE_LEAD_RELAY_BLOCKS,
    );
    const { upgradeReportHtml } = await import("../report/html/page.ts");
    writeReport(opts.report, upgradeReportHtml(r, reports[0]!, series));
  }
  return violations > 0 || r.stalls.length > 0 || r.panics.length > 0 ? 1 : 0;
}
