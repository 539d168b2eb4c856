/**
 * Upward messages, the UMP separator and UMP signals (elastic scaling, RFC-0103).
 *
 * A candidate's `upwardMessages` are the para's user messages, then optionally the separator (an
 * empty message) followed by SCALE-encoded `UMPSignal`s. Everything from the first separator onward
 * is invisible to the UMP limits (runtime and inclusion emulator alike): see `skipUmpSignals`.
 *
 * Invariants (mirroring `CandidateCommitments::ump_signals`, newest polkadot-sdk):
 * - Signals are the messages after the FIRST separator; a later empty message is a signal that
 *   fails to decode.
 * - At most one signal of each kind (`DuplicateUMPSignal`) and at most two in total
 *   (`TooManyUMPSignals`). The first two are decoded before the count is checked, so a decoding
 *   failure or a duplicate among them wins over `TooManyUMPSignals`.
 * - A signal decodes like Rust's `Decode::decode(&mut &bytes[..])`: trailing bytes after a valid
 *   signal are ignored; a missing byte, an unknown variant, a non-canonical compact length or an
 *   `ApprovedPeer` longer than 64 bytes is `UmpSignalDecode`.
 * - A separator with nothing after it yields no signals (accepted here; the relay runtime's
 *   `check_upward_messages` rejects it with `NoUmpSignal`).
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (UMP_SEPARATOR, skip_ump_signals, UMPSignal,
 *      CandidateUMPSignals, CandidateCommitments::ump_signals, CommittedCandidateReceiptError);
 *      cumulus/pallets/parachain-system/src/lib.rs (how a parachain appends its signals).
 */
import type { Result } from "../lib/result.ts";
import { err, ok } from "../lib/result.ts";
import type { CoreIndex } from "./codecs.ts";

/** `UMP_SEPARATOR`: an empty upward message. */
export const UMP_SEPARATOR: Uint8Array = new Uint8Array(0);

/** `skip_ump_signals`: the user messages, i.e. those before the first separator. */
export function skipUmpSignals(upwardMessages: readonly Uint8Array[]): Uint8Array[] {
  const end = upwardMessages.findIndex((m) => m.length === 0);
  return (end === -1 ? upwardMessages : upwardMessages.slice(0, end)) as Uint8Array[];
}

/** `CoreSelector(u8)`: typically the low byte of the para block number. */
export type CoreSelector = number;
/** `ClaimQueueOffset(u8)`: the claim-queue depth the candidate is meant for. */
export type ClaimQueueOffset = number;

/** `DEFAULT_CLAIM_QUEUE_OFFSET`: the offset assumed when no `SelectCore` signal is sent. */
export const DEFAULT_CLAIM_QUEUE_OFFSET: ClaimQueueOffset = 0;

/** `ApprovedPeerId = BoundedVec<u8, ConstU32<64>>`: its maximum length. */
export const MAX_APPROVED_PEER_ID_BYTES = 64;

/** `UMPSignal`. SCALE variant indices: `SelectCore` = 0, `ApprovedPeer` = 1. */
export type UMPSignal =
  | {
      readonly kind: "SelectCore";
      readonly coreSelector: CoreSelector;
      readonly claimQueueOffset: ClaimQueueOffset;
    }
  | { readonly kind: "ApprovedPeer"; readonly peerId: Uint8Array };

/** `CandidateUMPSignals`: the decoded signals of one candidate, at most one of each kind. */
export interface CandidateUMPSignals {
  readonly selectCore: {
    readonly coreSelector: CoreSelector;
    readonly claimQueueOffset: ClaimQueueOffset;
  } | null;
  readonly approvedPeer: Uint8Array | null;
}

export const NO_UMP_SIGNALS: CandidateUMPSignals = { selectCore: null, approvedPeer: null };

/** `CandidateUMPSignals::is_empty`. */
export function umpSignalsIsEmpty(signals: CandidateUMPSignals): boolean {
  return signals.selectCore === null && signals.approvedPeer === null;
}

/**
 * `CommittedCandidateReceiptError`, variant names exactly as in Rust (note `Decriptor`).
 * `UnknownVersion(InternalVersion)` carries the descriptor's raw version byte as `version`.
 */
export type CommittedCandidateReceiptError =
  | { readonly code: "InvalidCoreIndex" }
  | {
      readonly code: "CoreIndexMismatch";
      readonly descriptor: CoreIndex;
      readonly commitments: CoreIndex;
    }
  | { readonly code: "InvalidSelectedCore" }
  | { readonly code: "UmpSignalDecode" }
  | { readonly code: "NoAssignment" }
  | { readonly code: "UnknownVersion"; readonly version: number }
  | { readonly code: "TooManyUMPSignals" }
  | { readonly code: "DuplicateUMPSignal" }
  | { readonly code: "UMPSignalWithV1Decriptor" };

// ---------------------------------------------------------------------------------------------
// SCALE encoding of a signal. Written by hand (not scale-ts) because the decoder must reject
// every malformed input exactly where parity-scale-codec does, and read from a prefix.

function assertU8(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${what} must be a u8, got ${value}`);
  }
}

/** SCALE `Compact<u32>` (the length prefix of a `Vec`). */
export function encodeCompactU32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new RangeError(`compact u32 out of range: ${n}`);
  }
  if (n < 1 << 6) return new Uint8Array([n << 2]);
  if (n < 1 << 14) return new Uint8Array([((n << 2) | 0b01) & 0xff, n >> 6]);
  if (n < 1 << 30) {
    const v = n * 4 + 0b10;
    return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
  }
  return new Uint8Array([0b11, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

/**
 * Decode a canonical SCALE `Compact<u32>` at `offset`; null where parity-scale-codec errors
 * (missing bytes, a value in a wider mode than needed, more than 4 bytes in big-integer mode).
 */
export function decodeCompactU32(
  bytes: Uint8Array,
  offset: number,
): { readonly value: number; readonly next: number } | null {
  const first = bytes[offset];
  if (first === undefined) return null;
  switch (first & 0b11) {
    case 0b00:
      return { value: first >>> 2, next: offset + 1 };
    case 0b01: {
      const second = bytes[offset + 1];
      if (second === undefined) return null;
      const value = ((first | (second << 8)) >>> 2) & 0x3fff;
      return value >= 1 << 6 ? { value, next: offset + 2 } : null;
    }
    case 0b10: {
      if (offset + 4 > bytes.length) return null;
      const raw =
        (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16)) +
        bytes[offset + 3]! * 2 ** 24;
      const value = Math.floor(raw / 4);
      return value >= 1 << 14 ? { value, next: offset + 4 } : null;
    }
    default: {
      // Big-integer mode: (first >> 2) + 4 bytes follow; a u32 allows exactly 4.
      if (first >>> 2 !== 0 || offset + 5 > bytes.length) return null;
      const value =
        (bytes[offset + 1]! | (bytes[offset + 2]! << 8) | (bytes[offset + 3]! << 16)) +
        bytes[offset + 4]! * 2 ** 24;
      return value >= 1 << 30 ? { value, next: offset + 5 } : null;
    }
  }
}

/** `UMPSignal::encode()`. */
export function encodeUmpSignal(signal: UMPSignal): Uint8Array {
  switch (signal.kind) {
    case "SelectCore":
      assertU8(signal.coreSelector, "CoreSelector");
      assertU8(signal.claimQueueOffset, "ClaimQueueOffset");
      return new Uint8Array([0, signal.coreSelector, signal.claimQueueOffset]);
    case "ApprovedPeer": {
      if (signal.peerId.length > MAX_APPROVED_PEER_ID_BYTES) {
        throw new RangeError(
          `ApprovedPeerId is at most ${MAX_APPROVED_PEER_ID_BYTES} bytes, got ${signal.peerId.length}`,
        );
      }
      const len = encodeCompactU32(signal.peerId.length);
      const out = new Uint8Array(1 + len.length + signal.peerId.length);
      out[0] = 1;
      out.set(len, 1);
      out.set(signal.peerId, 1 + len.length);
      return out;
    }
  }
}

/** `UMPSignal::decode(&mut &bytes[..])`: null on a decoding error; trailing bytes are ignored. */
export function decodeUmpSignal(bytes: Uint8Array): UMPSignal | null {
  switch (bytes[0]) {
    case 0: {
      const coreSelector = bytes[1];
      const claimQueueOffset = bytes[2];
      if (coreSelector === undefined || claimQueueOffset === undefined) return null;
      return { kind: "SelectCore", coreSelector, claimQueueOffset };
    }
    case 1: {
      const len = decodeCompactU32(bytes, 1);
      // BoundedVec checks the bound on the decoded length before reading the bytes.
      if (len === null || len.value > MAX_APPROVED_PEER_ID_BYTES) return null;
      if (len.next + len.value > bytes.length) return null;
      return { kind: "ApprovedPeer", peerId: bytes.slice(len.next, len.next + len.value) };
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------

type MutableSignals = {
  selectCore: CandidateUMPSignals["selectCore"];
  approvedPeer: Uint8Array | null;
};

/** `CandidateUMPSignals::try_decode_signal`. */
function tryDecodeSignal(
  acc: MutableSignals,
  message: Uint8Array,
): CommittedCandidateReceiptError | null {
  const signal = decodeUmpSignal(message);
  if (signal === null) return { code: "UmpSignalDecode" };
  switch (signal.kind) {
    case "ApprovedPeer":
      if (acc.approvedPeer !== null) return { code: "DuplicateUMPSignal" };
      acc.approvedPeer = signal.peerId;
      return null;
    case "SelectCore":
      if (acc.selectCore !== null) return { code: "DuplicateUMPSignal" };
      acc.selectCore = {
        coreSelector: signal.coreSelector,
        claimQueueOffset: signal.claimQueueOffset,
      };
      return null;
  }
}

/**
 * `CandidateCommitments::ump_signals()`: the candidate's signals, or the error that makes them
 * malformed. Exactly the Rust order: no separator → none; decode the first and the second signal
 * (each may fail); a third message after the separator → `TooManyUMPSignals`.
 */
export function umpSignals(commitments: {
  readonly upwardMessages: readonly Uint8Array[];
}): Result<CandidateUMPSignals, CommittedCandidateReceiptError> {
  const messages = commitments.upwardMessages;
  const separator = messages.findIndex((m) => m.length === 0);
  if (separator === -1) return ok(NO_UMP_SIGNALS);
  const acc: MutableSignals = { selectCore: null, approvedPeer: null };
  const first = messages[separator + 1];
  if (first === undefined) return ok(acc);
  const e1 = tryDecodeSignal(acc, first);
  if (e1 !== null) return err(e1);
  const second = messages[separator + 2];
  if (second === undefined) return ok(acc);
  const e2 = tryDecodeSignal(acc, second);
  if (e2 !== null) return err(e2);
  if (messages.length > separator + 3) return err({ code: "TooManyUMPSignals" });
  return ok(acc);
}

// ---------------------------------------------------------------------------------------------
// Building upward messages, as the parachain runtime does at the end of a block.

/** `UMPSignal::SelectCore(CoreSelector(selector), ClaimQueueOffset(offset))`. */
export function selectCoreSignal(
  coreSelector: CoreSelector,
  claimQueueOffset: ClaimQueueOffset,
): UMPSignal {
  return { kind: "SelectCore", coreSelector, claimQueueOffset };
}

/**
 * The upward messages a parachain block sends: its user messages, then, if it sends any signal,
 * the separator and each encoded signal in the given order. cumulus parachain-system
 * (`send_ump_signals`) appends the separator only when there is at least one signal, and pushes
 * `SelectCore` before `ApprovedPeer`.
 */
export function withUmpSignals(
  userMessages: readonly Uint8Array[],
  signals: readonly UMPSignal[],
): Uint8Array[] {
  const out = [...userMessages];
  if (signals.length === 0) return out;
  out.push(UMP_SEPARATOR);
  for (const s of signals) out.push(encodeUmpSignal(s));
  return out;
}

/** User messages followed by the separator and `SelectCore(selector, offset)`. */
export function withSelectCore(
  userMessages: readonly Uint8Array[],
  coreSelector: CoreSelector,
  claimQueueOffset: ClaimQueueOffset,
): Uint8Array[] {
  return withUmpSignals(userMessages, [selectCoreSignal(coreSelector, claimQueueOffset)]);
}
