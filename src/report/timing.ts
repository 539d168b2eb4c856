/**
 * Timing by block number across an upgrade (`parapipe timing`): what a period counted in blocks
 * (a vesting schedule, a staking era, a governance period) lasts before and after, how many
 * blocks keep its real-time length, the relay-chain block count that does not move with the para's
 * block time, and the issuance per block that keeps the yearly issuance (Astar halved its
 * emissions per block when its blocks went from 12 s to 6 s).
 *
 * Invariants: the block times are the measured `blockTimeMs.mean` of the two runs' first para,
 * never read from the configuration; block counts are rounded to whole blocks.
 */
import type { RunReport } from "./run-report.ts";

/** A period counted in para blocks. */
export interface Period {
  readonly name: string;
  readonly blocks: number;
}

export interface PeriodTiming {
  readonly name: string;
  readonly blocks: number;
  /** Its real-time length before the upgrade, ms. */
  readonly beforeMs: number;
  /** The same block count after the upgrade, ms. */
  readonly afterMs: number;
  /** The block count that keeps the period's real-time length after the upgrade. */
  readonly blocksKeepingRealTime: number;
  /** The period counted in relay-chain blocks instead (unchanged by the para's upgrade). */
  readonly relayBlocks: number;
}

export interface Timing {
  readonly before: { readonly name: string; readonly blockTimeMs: number };
  readonly after: { readonly name: string; readonly blockTimeMs: number };
  readonly relaySlotMs: number;
  readonly periods: readonly PeriodTiming[];
  /** With an issuance per block: what keeps the yearly issuance (per 365-day year). */
  readonly issuance: {
    readonly perBlockBefore: number;
    readonly yearlyBefore: number;
    readonly yearlyAfterUnchanged: number;
    readonly perBlockKeepingYearly: number;
  } | null;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The measured block time of a run's first para, ms (throws when the run included none). */
export function measuredBlockTimeMs(report: RunReport): number {
  const [id, para] = Object.entries(report.paras)[0] ?? [];
  const mean = para?.blockTimeMs?.mean;
  if (mean === undefined || mean <= 0) {
    throw new Error(
      `${report.name}: para ${id} has no measured block time (too few blocks included)`,
    );
  }
  return mean;
}

export function timing(
  before: RunReport,
  after: RunReport,
  relaySlotMs: number,
  periods: readonly Period[],
  issuancePerBlock: number | null,
): Timing {
  const b = measuredBlockTimeMs(before);
  const a = measuredBlockTimeMs(after);
  return {
    before: { name: before.name, blockTimeMs: b },
    after: { name: after.name, blockTimeMs: a },
    relaySlotMs,
    periods: periods.map((p) => ({
      name: p.name,
      blocks: p.blocks,
      beforeMs: p.blocks * b,
      afterMs: p.blocks * a,
      blocksKeepingRealTime: Math.round((p.blocks * b) / a),
      relayBlocks: Math.round((p.blocks * b) / relaySlotMs),
    })),
    issuance:
      issuancePerBlock === null
        ? null
        : {
            perBlockBefore: issuancePerBlock,
            yearlyBefore: (issuancePerBlock * YEAR_MS) / b,
            yearlyAfterUnchanged: (issuancePerBlock * YEAR_MS) / a,
            perBlockKeepingYearly: (issuancePerBlock * a) / b,
          },
  };
}

/** A duration for people: days, hours or minutes. */
export function humanDuration(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 48) return `${(h / 24).toFixed(2)} days`;
  if (h >= 1) return `${h.toFixed(2)} h`;
  return `${(ms / 60_000).toFixed(2)} min`;
}
