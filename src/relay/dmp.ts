/**
 * Downward message passing, reduced to the queue per para and the acceptance rule of a candidate's
 * `processed_downward_messages`.
 *
 * Acceptance (`check_processed_downward_messages`): if the queue is non-empty, a candidate that
 * processes nothing is rejected only when the first message was already sent at its relay parent
 * (`AdvancementRule`); processing more messages than queued is `Underflow`.
 * Delivery-fee factors and the MQC head are not modelled.
 *
 * Invariant: each queue is in sending order (non-decreasing `sentAt`).
 *
 * Ref: polkadot/runtime/parachains/src/dmp.rs.
 */

import type { HostConfiguration } from "../config/host-configuration.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { BlockNumber, ParaId } from "../primitives/codecs.ts";

export interface InboundDownwardMessage {
  readonly sentAt: BlockNumber;
  readonly msg: Uint8Array;
}

export interface DmpState {
  /** `DownwardMessageQueues`. */
  downwardMessageQueues: Map<ParaId, InboundDownwardMessage[]>;
}

export function newDmpState(): DmpState {
  return { downwardMessageQueues: new Map() };
}

/** `ProcessedDownwardMessagesAcceptanceErr`. */
export type ProcessedDownwardMessagesAcceptanceErr =
  | { readonly code: "AdvancementRule" }
  | {
      readonly code: "Underflow";
      readonly processedDownwardMessages: number;
      readonly dmqLength: number;
    };

export type QueueDownwardMessageError = { readonly code: "ExceedsMaxMessageSize" };

export function dmqLength(dmp: DmpState, para: ParaId): number {
  return dmp.downwardMessageQueues.get(para)?.length ?? 0;
}

/** `dmq_contents`: the pending messages, oldest first. */
export function dmqContents(dmp: DmpState, para: ParaId): readonly InboundDownwardMessage[] {
  return dmp.downwardMessageQueues.get(para) ?? [];
}

/** `queue_downward_message` at block `now` (size check only; the queue-length cap is not modelled). */
export function queueDownwardMessage(
  dmp: DmpState,
  config: HostConfiguration,
  para: ParaId,
  msg: Uint8Array,
  now: BlockNumber,
): Result<undefined, QueueDownwardMessageError> {
  if (msg.length > config.maxDownwardMessageSize) return err({ code: "ExceedsMaxMessageSize" });
  const q = dmp.downwardMessageQueues.get(para) ?? [];
  q.push({ sentAt: now, msg });
  dmp.downwardMessageQueues.set(para, q);
  return ok(undefined);
}

/** `check_processed_downward_messages`. */
export function checkProcessedDownwardMessages(
  dmp: DmpState,
  para: ParaId,
  relayParentNumber: BlockNumber,
  processedDownwardMessages: number,
): Result<undefined, ProcessedDownwardMessagesAcceptanceErr> {
  const len = dmqLength(dmp, para);
  if (len > 0 && processedDownwardMessages === 0) {
    // At least one message must be processed if the queue was non-empty at the relay parent.
    const first = dmqContents(dmp, para)[0];
    if (first !== undefined && first.sentAt <= relayParentNumber) {
      return err({ code: "AdvancementRule" });
    }
  }
  if (len < processedDownwardMessages) {
    return err({ code: "Underflow", processedDownwardMessages, dmqLength: len });
  }
  return ok(undefined);
}

/** `prune_dmq`: drop the first `processed` messages (all of them if there are fewer). */
export function pruneDmq(dmp: DmpState, para: ParaId, processedDownwardMessages: number): void {
  const q = dmp.downwardMessageQueues.get(para);
  if (q === undefined) return;
  q.splice(0, Math.min(processedDownwardMessages, q.length));
}
