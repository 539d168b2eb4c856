/**
 * Upward message passing on the relay side: the per-para upward queue (the message-queue pallet's
 * `Ump(Para)` origin) and the acceptance check of a candidate's upward messages.
 *
 * `checkUpwardMessages`: split at the first empty message (the UMP separator); more than 2 items
 * from the separator on is `TooManyUMPSignals` (the separator counts: at most one signal), exactly
 * the separator alone is `NoUmpSignal`; then, over the user messages only: offboarding paras send
 * none, count per candidate, queue count, each message's size, running queue size.
 * Dispatching (dequeuing) the messages is not modelled beyond `dequeueUpwardMessages`.
 *
 * Ref: polkadot/runtime/parachains/src/inclusion/mod.rs (check_upward_messages,
 *      receive_upward_messages, relay_dispatch_queue_size).
 */

import type { HostConfiguration } from "../config/host-configuration.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { ParaId } from "../primitives/codecs.ts";
import { skipUmpSignals } from "../primitives/ump.ts";
import { isOffboarding, type ParasState } from "./paras.ts";

/** The separator and at most one `UMPSignal` (check_upward_messages inlines `> 2`), messages. */
const MAX_UMP_SIGNALS_WITH_SEPARATOR = 2;

export interface UmpState {
  /** The enqueued, not yet dispatched upward messages of each para, oldest first. */
  upwardQueues: Map<ParaId, Uint8Array[]>;
}

export function newUmpState(): UmpState {
  return { upwardQueues: new Map() };
}

/** `UmpAcceptanceCheckErr`. */
export type UmpAcceptanceCheckErr =
  | {
      readonly code: "MoreMessagesThanPermitted";
      readonly sent: number;
      readonly permitted: number;
    }
  | {
      readonly code: "MessageSize";
      readonly idx: number;
      readonly msgSize: number;
      readonly maxSize: number;
    }
  | { readonly code: "CapacityExceeded"; readonly count: number; readonly limit: number }
  | { readonly code: "TotalSizeExceeded"; readonly totalSize: number; readonly limit: number }
  | { readonly code: "IsOffboarding" }
  | { readonly code: "TooManyUMPSignals"; readonly count: number }
  | { readonly code: "NoUmpSignal" };

/** `relay_dispatch_queue_size`: `[count, bytes]` of the para's upward queue. */
export function relayDispatchQueueSize(ump: UmpState, para: ParaId): [number, number] {
  const q = ump.upwardQueues.get(para) ?? [];
  let size = 0;
  for (const m of q) size += m.length;
  return [q.length, size];
}

/** `check_upward_messages`. */
export function checkUpwardMessages(
  ump: UmpState,
  paras: ParasState,
  config: HostConfiguration,
  para: ParaId,
  upwardMessages: readonly Uint8Array[],
): Result<undefined, UmpAcceptanceCheckErr> {
  let messages = upwardMessages;
  const separatorIndex = upwardMessages.findIndex((m) => m.length === 0);
  if (separatorIndex !== -1) {
    const signals = upwardMessages.length - separatorIndex;
    if (signals > MAX_UMP_SIGNALS_WITH_SEPARATOR)
      return err({ code: "TooManyUMPSignals", count: signals });
    if (signals === 1) return err({ code: "NoUmpSignal" });
    messages = upwardMessages.slice(0, separatorIndex);
  }
  if (isOffboarding(paras, para) && messages.length > 0) return err({ code: "IsOffboarding" });

  const additionalMsgs = messages.length;
  if (additionalMsgs > config.maxUpwardMessageNumPerCandidate) {
    return err({
      code: "MoreMessagesThanPermitted",
      sent: additionalMsgs,
      permitted: config.maxUpwardMessageNumPerCandidate,
    });
  }
  const [queueCount, queueSize] = relayDispatchQueueSize(ump, para);
  if (queueCount + additionalMsgs > config.maxUpwardQueueCount) {
    return err({
      code: "CapacityExceeded",
      count: queueCount + additionalMsgs,
      limit: config.maxUpwardQueueCount,
    });
  }
  let size = queueSize;
  for (const [idx, msg] of messages.entries()) {
    if (msg.length > config.maxUpwardMessageSize) {
      return err({
        code: "MessageSize",
        idx,
        msgSize: msg.length,
        maxSize: config.maxUpwardMessageSize,
      });
    }
    if (size + msg.length > config.maxUpwardQueueSize) {
      return err({
        code: "TotalSizeExceeded",
        totalSize: size + msg.length,
        limit: config.maxUpwardQueueSize,
      });
    }
    size += msg.length;
  }
  return ok(undefined);
}

/**
 * `receive_upward_messages`: enqueue the user messages (up to the separator). Returns how many
 * were enqueued (the `UpwardMessagesReceived` event's count; 0 means no event).
 */
export function receiveUpwardMessages(
  ump: UmpState,
  para: ParaId,
  upwardMessages: readonly Uint8Array[],
): number {
  const messages = skipUmpSignals(upwardMessages);
  if (messages.length === 0) return 0;
  const q = ump.upwardQueues.get(para) ?? [];
  q.push(...messages);
  ump.upwardQueues.set(para, q);
  return messages.length;
}

/** Take up to `max` messages from the front of the para's queue (the message-queue pallet's service). */
export function dequeueUpwardMessages(ump: UmpState, para: ParaId, max: number): Uint8Array[] {
  const q = ump.upwardQueues.get(para);
  if (q === undefined) return [];
  return q.splice(0, max);
}
