/**
 * Planted bugs (FoundationDB's BUGGIFY, for testing the tester): each name patches ONE place of
 * the relay runtime so that it departs from polkadot-sdk in a way the standalone checkers or the
 * liveness rule must catch once faults or adversaries exercise it (docs/fuzz.md). The command
 * line reads `PARAPIPE_BUGGIFY` (src/cli/buggify.ts, the only place) and hands the name down as
 * an option: `WorldOptions.buggify` -> `ApplyBlockContext.buggify` -> the patched function's
 * argument. Nothing below `cli/` reads the environment, and without the option every function
 * behaves exactly as before (the golden traces do not change).
 *
 * The places (each follows the Rust function it breaks):
 * - `backing-votes-minus-one`: `check_backing_votes` (inclusion, called by `process_candidates`)
 *   accepts one vote fewer than `effective_minimum_backing_votes` (inclusion.ts);
 * - `availability-threshold-minus-one`: `update_pending_availability_and_get_freed_cores` counts a
 *   candidate available with one vote below `availability_threshold` (inclusion.ts);
 * - `skip-bitfield-signature`: `sanitize_bitfields` (paras_inherent) accepts a bitfield without
 *   `try_into_checked`'s signature check (paras-inherent.ts);
 * - `enact-out-of-order`: `update_pending_availability_and_get_freed_cores` enacts every available
 *   candidate, not only the available prefix of the para's chain (inclusion.ts);
 * - `never-time-out`: `process_inherent_data` never calls `free_timedout` (apply-block.ts).
 *
 * Ref: polkadot/runtime/parachains/src/inclusion/mod.rs, paras_inherent/mod.rs.
 */
export const PLANTED_BUGS = [
  "backing-votes-minus-one",
  "availability-threshold-minus-one",
  "skip-bitfield-signature",
  "enact-out-of-order",
  "never-time-out",
] as const;

export type PlantedBug = (typeof PLANTED_BUGS)[number];

export function isPlantedBug(name: string): name is PlantedBug {
  return (PLANTED_BUGS as readonly string[]).includes(name);
}
