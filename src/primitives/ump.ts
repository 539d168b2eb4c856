/**
 * Upward messages and the UMP separator. Everything from the first empty message (the separator)
 * onward is UMP signals, invisible to the UMP limits (runtime and inclusion emulator alike).
 * Ref: polkadot/primitives/src/vstaging/mod.rs (UMP_SEPARATOR, skip_ump_signals).
 */

/** `UMP_SEPARATOR`: an empty upward message. */
export const UMP_SEPARATOR: Uint8Array = new Uint8Array(0);

/** `skip_ump_signals`: the user messages, i.e. those before the first separator. */
export function skipUmpSignals(upwardMessages: readonly Uint8Array[]): Uint8Array[] {
  const end = upwardMessages.findIndex((m) => m.length === 0);
  return (end === -1 ? upwardMessages : upwardMessages.slice(0, end)) as Uint8Array[];
}
