/**
 * `parapipe timing`: block-number durations and issuance across an upgrade, from the measured
 * block times of two runs (default: the `sync` preset before, `async` after). Exit 2 on bad input.
 */

import { textTable } from "../report/table.ts";
import { humanDuration, type Period, timing } from "../report/timing.ts";
import { InputError, resolveTargets, type SimulateOptions, simulate } from "./targets.ts";

export interface TimingOptions
  extends Pick<
    SimulateOptions,
    "seed" | "relayBlocks" | "generation" | "progress" | "json" | "jobs"
  > {
  readonly before?: string;
  readonly after?: string;
  readonly period?: string[];
  readonly issuancePerBlock?: string;
}

/** `NAME=BLOCKS` -> a period. */
function parsePeriod(text: string): Period {
  const m = /^([^=]+)=(\d+)$/.exec(text.trim());
  if (!m)
    throw new InputError(
      `--period: expected NAME=BLOCKS (e.g. vesting=50400), got ${JSON.stringify(text)}`,
    );
  return { name: m[1]!.trim(), blocks: Number(m[2]) };
}

/** A preset name or a scenario file: `--before`/`--after`. */
function target(value: string): { files: string[]; preset: string[] } {
  return /\.(ya?ml|json)$/i.test(value)
    ? { files: [value], preset: [] }
    : { files: [], preset: [value] };
}

export async function timingCommand(opts: TimingOptions): Promise<number> {
  const periods = (opts.period ?? []).map(parsePeriod);
  if (periods.length === 0)
    throw new InputError("give at least one --period NAME=BLOCKS (see --help)");
  let issuance: number | null = null;
  if (opts.issuancePerBlock !== undefined) {
    issuance = Number(opts.issuancePerBlock);
    if (!Number.isFinite(issuance) || issuance < 0) {
      throw new InputError(
        `--issuance-per-block: expected a number >= 0, got ${JSON.stringify(opts.issuancePerBlock)}`,
      );
    }
  }
  const before = target(opts.before ?? "sync");
  const after = target(opts.after ?? "async");
  const common: SimulateOptions = opts;
  const targets = resolveTargets([...before.files, ...after.files], {
    ...common,
    preset: [...before.preset, ...after.preset],
  });
  // Files come first in the targets: put them back in before/after order.
  const order = before.files.length > 0 ? [0, 1] : after.files.length > 0 ? [1, 0] : [0, 1];
  const { reports, violations } = await simulate(targets, common);
  const [b, a] = [reports[order[0]!]!, reports[order[1]!]!];
  const relaySlotMs = targets.scenarios[order[0]!]!.relay.slotDurationMs;
  const t = timing(b, a, relaySlotMs, periods, issuance);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
    return violations > 0 ? 1 : 0;
  }
  const bt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `measured block time: ${t.before.name} ${bt(t.before.blockTimeMs)}, ${t.after.name} ${bt(t.after.blockTimeMs)} (blockTimeMs.mean of each run)\n`,
  );
  console.log(
    textTable(
      [
        "period",
        "blocks",
        `lasts (${t.before.name})`,
        `lasts (${t.after.name})`,
        "blocks keeping real time",
        `in relay blocks (${bt(relaySlotMs)})`,
      ],
      t.periods.map((p) => [
        p.name,
        String(p.blocks),
        humanDuration(p.beforeMs),
        humanDuration(p.afterMs),
        String(p.blocksKeepingRealTime),
        String(p.relayBlocks),
      ]),
    ),
  );
  if (t.issuance) {
    const i = t.issuance;
    console.log(
      `\nissuance: ${i.perBlockBefore} per block is ${i.yearlyBefore.toFixed(0)} a year before, ` +
        `${i.yearlyAfterUnchanged.toFixed(0)} a year after if unchanged; ` +
        `${i.perBlockKeepingYearly} per block keeps the yearly issuance.`,
    );
  }
  return violations > 0 ? 1 : 0;
}
