/**
 * The polkadot-sdk generation a scenario runs (SEMANTICS.md §7): which node and collator rules
 * decide the fragment chain's length (C1), the node's allowed ancestry (C2), how many collations
 * a validator takes per relay parent (C3) and when the slot-based collator stops before an Aura
 * handover (C4).
 *
 * - `2024`: the 2024-25 generation (G2) that SEMANTICS.md §1-§3 pins, commits named in each
 *   module's header.
 * - `current`: the newest polkadot-sdk `stable` release in the stored sources; the commit each
 *   rule was read at is named in the module that implements it and in docs/simulator.md.
 *
 * The relay-chain runtime and the parachain runtime are the same in both (SEMANTICS.md §7 lists
 * only node and collator differences).
 */

export const GENERATIONS = ["current", "2024"] as const;

export type Generation = (typeof GENERATIONS)[number];

/** The generation a scenario runs when it names none. */
export const DEFAULT_GENERATION: Generation = "current";
