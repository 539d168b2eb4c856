/**
 * Refusing up front a run this process cannot hold (issue 21 item 4; docs/simulator.md "Memory"):
 * what a run keeps grows with its length (`src/sim/memory-estimate.ts`), and a run whose records
 * alone would exceed the memory this process can use would only fail hours later with V8's "heap
 * out of memory". That memory is the smaller of V8's heap limit (what `--max-old-space-size`
 * sets; the records are JavaScript objects) and the machine's memory. Only such a run is refused:
 * the estimate leaves out the network's start-up memory, so a run it lets through may still not
 * fit, but one it refuses cannot.
 */
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import type { Scenario } from "../config/scenario.ts";
import { scenarioCores } from "../config/scenario.ts";
import { retainedBytes, retainedBytesPerRelayBlock } from "../sim/memory-estimate.ts";

const MIB = 1024 * 1024;

/** The memory a run in this process can use, bytes: V8's heap limit or the machine's memory. */
export function memoryLimitBytes(): number {
  return Math.min(getHeapStatistics().heap_size_limit, totalmem());
}

/**
 * Why a run of `s` cannot fit in `limitBytes` (which key, what was expected, what was found), or
 * null when it may.
 */
export function memoryProblem(s: Scenario, limitBytes = memoryLimitBytes()): string | null {
  if (retainedBytes(s) <= limitBytes) return null;
  const perBlock = retainedBytesPerRelayBlock(s);
  const most = Math.max(0, Math.floor(limitBytes / perBlock) - s.warmupRelayBlocks);
  const cores = scenarioCores(s);
  return (
    `relayBlocks: expected at most ${most} for this network (with ${s.warmupRelayBlocks} warm-up ` +
    `blocks: a run keeps about ${Math.round(perBlock / 1024)} KiB per relay block for its report ` +
    `and checks with ${cores} core${cores === 1 ? "" : "s"} in use, and this process can use ` +
    `${Math.round(limitBytes / MIB)} MiB, the smaller of V8's heap limit and the machine's ` +
    `memory; docs/simulator.md "Memory"), got ${s.relayBlocks}`
  );
}
