import { resolveScenario, type Scenario } from "../../src/config/scenario.ts";
import { type RunOutcome, runScenario } from "../../src/report/run.ts";

/** Resolve a partial scenario (onto its preset) or throw with the validation errors. */
export function scenario(input: Record<string, unknown>): Scenario {
  const r = resolveScenario(input);
  if (!r.ok) throw new Error(r.error.join("\n"));
  return r.value;
}

const cache = new Map<string, RunOutcome>();

/**
 * Run a scenario once per test file (several tests read the same run); `keepHistory` keeps every
 * relay block record and the paras' whole data (`WorldOptions.keepHistory`).
 */
export function run(input: Record<string, unknown>, keepHistory = false): RunOutcome {
  const key = `${JSON.stringify(input)}/${keepHistory}`;
  let out = cache.get(key);
  if (!out) {
    out = runScenario(scenario(input), keepHistory ? { keepHistory } : {});
    cache.set(key, out);
  }
  return out;
}

/** The para blocks authored but never included (orphaned forks). */
export function orphaned(outcome: RunOutcome, paraId = 2000): number {
  const included = new Set(
    outcome.world.events
      .filter((e) => e.type === "CandidateIncluded" && e.paraId === paraId)
      .map((e) => e.headHash),
  );
  const last = outcome.world.chain.tip.header.number;
  let n = 0;
  for (const b of outcome.world.blocks.values()) {
    // Blocks of the last relay slots may still be on their way: count only older ones.
    if (b.paraId === paraId && !included.has(b.headHash) && b.authoredAtUs < (last - 3) * 6_000_000)
      n++;
  }
  return n;
}
