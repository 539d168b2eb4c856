/**
 * Conformance suite `unincluded-segment` (FORMAT.md): cumulus parachain-system's
 * unincluded_segment.rs. State: named `HrmpChannelUpdate`s (each created empty on first use), one
 * `SegmentTracker` (the default one at first) and the named `Ancestor`s appended so far.
 */
import type { Hash } from "../../lib/hex.ts";
import {
  Ancestor,
  HrmpChannelUpdate,
  type HrmpOutboundLimits,
  HrmpWatermarkUpdate,
  type MessagingStateSnapshot,
  OutboundBandwidthLimits,
  SegmentTracker,
  sizeAfterIncluded,
  U32_MAX,
  type UpgradeGoAhead,
  type UsedBandwidth,
} from "../../parachain/unincluded-segment.ts";
import type { ParaId } from "../../primitives/codecs.ts";
import { describe, type Json, Reader, VectorError } from "../json.ts";
import { fromResult, okOutcome, type Suite, UnorderedList } from "../suite.ts";

function u32(r: Reader, key: string): number {
  const n = r.num(key);
  if (n > U32_MAX) r.fail(key, "a u32 (at most 4294967295)");
  return n;
}

function paraKeyed<T>(r: Reader, key: string, read: (entry: Reader) => T): Map<ParaId, T> {
  const out = r.numKeyed(key, (value, path) => read(Reader.of(value, path)));
  for (const k of out.keys()) {
    if (k > U32_MAX) throw new VectorError(`${r.at(key)}: para id ${k} is not a u32`);
  }
  return out;
}

function readHrmpLimits(r: Reader): HrmpOutboundLimits {
  r.onlyKeys(["bytesRemaining", "messagesRemaining"]);
  return {
    bytesRemaining: u32(r, "bytesRemaining"),
    messagesRemaining: u32(r, "messagesRemaining"),
  };
}

function readLimits(r: Reader): OutboundBandwidthLimits {
  r.onlyKeys(["umpMessagesRemaining", "umpBytesRemaining", "hrmpOutgoing"]);
  return {
    umpMessagesRemaining: u32(r, "umpMessagesRemaining"),
    umpBytesRemaining: u32(r, "umpBytesRemaining"),
    hrmpOutgoing: r.has("hrmpOutgoing") ? paraKeyed(r, "hrmpOutgoing", readHrmpLimits) : new Map(),
  };
}

function readChannelUpdate(r: Reader): HrmpChannelUpdate {
  return { msgCount: u32(r, "msgCount"), totalBytes: u32(r, "totalBytes") };
}

function readUsedBandwidth(r: Reader): UsedBandwidth {
  r.onlyKeys(["umpMsgCount", "umpTotalBytes", "hrmpOutgoing"]);
  return {
    umpMsgCount: u32(r, "umpMsgCount"),
    umpTotalBytes: u32(r, "umpTotalBytes"),
    hrmpOutgoing: r.has("hrmpOutgoing")
      ? paraKeyed(r, "hrmpOutgoing", (c) =>
          readChannelUpdate(c.onlyKeys(["msgCount", "totalBytes"])),
        )
      : new Map(),
  };
}

function readSignal(r: Reader, key: string): UpgradeGoAhead | null {
  const v = r.raw(key);
  if (v === null || v === undefined) return null;
  return r.oneOf(key, ["GoAhead", "Abort"] as const);
}

function readAncestor(r: Reader): Ancestor {
  r.onlyKeys(["usedBandwidth", "consumedGoAheadSignal", "paraHeadHash"]);
  const ancestor = Ancestor.newUnchecked(
    readUsedBandwidth(r.sub("usedBandwidth")),
    readSignal(r, "consumedGoAheadSignal"),
  );
  const head = r.has("paraHeadHash") ? r.hash("paraHeadHash") : null;
  return head === null ? ancestor : Ancestor.replaceParaHeadHash(ancestor, head);
}

function readWatermark(r: Reader, key: string): HrmpWatermarkUpdate {
  const w = r.sub(key);
  const keys = Object.keys(w.obj);
  if (keys.length === 1 && keys[0] === "head") return HrmpWatermarkUpdate.head(u32(w, "head"));
  if (keys.length === 1 && keys[0] === "trunk") return HrmpWatermarkUpdate.trunk(u32(w, "trunk"));
  return r.fail(key, '{"head": n} or {"trunk": n}');
}

function readMessagingState(r: Reader): MessagingStateSnapshot {
  r.onlyKeys(["relayDispatchQueueRemainingCapacity", "egressChannels"]);
  const cap = r
    .sub("relayDispatchQueueRemainingCapacity")
    .onlyKeys(["remainingCount", "remainingSize"]);
  return {
    relayDispatchQueueRemainingCapacity: {
      remainingCount: u32(cap, "remainingCount"),
      remainingSize: u32(cap, "remainingSize"),
    },
    egressChannels: r.has("egressChannels")
      ? paraKeyed(r, "egressChannels", (c) => {
          c.onlyKeys(["maxCapacity", "maxTotalSize", "maxMessageSize", "msgCount", "totalSize"]);
          return {
            maxCapacity: u32(c, "maxCapacity"),
            maxTotalSize: u32(c, "maxTotalSize"),
            maxMessageSize: u32(c, "maxMessageSize"),
            msgCount: u32(c, "msgCount"),
            totalSize: u32(c, "totalSize"),
          };
        })
      : new Map(),
  };
}

function readHashOrNull(value: Json, path: string): Hash | null {
  if (value === null) return null;
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new VectorError(
      `${path}: expected a 32-byte 0x-hex hash or null, got ${describe(value)}`,
    );
  }
  return value.toLowerCase();
}

function trackerView(t: SegmentTracker) {
  return {
    umpMsgCount: t.usedBandwidth.umpMsgCount,
    umpTotalBytes: t.usedBandwidth.umpTotalBytes,
    hrmpChannels: new UnorderedList([...t.usedBandwidth.hrmpOutgoing.keys()]),
    hrmpOutgoing: t.usedBandwidth.hrmpOutgoing,
    hrmpWatermark: t.hrmpWatermark,
    consumedGoAheadSignal: t.consumedGoAheadSignal,
  };
}

export const unincludedSegmentSuite: Suite = {
  name: "unincluded-segment",
  givenKeys: null,
  ops: {
    outboundLimits: ["messagingState"],
    hrmpChannelAppend: ["update", "recipient", "msgCount", "totalBytes", "limits"],
    segmentAppend: ["name", "ancestor", "hrmpWatermark", "limits"],
    segmentSubtract: ["ancestor"],
    tracker: [],
    sizeAfterIncluded: ["segment", "included"],
  },
  init() {
    const updates = new Map<string, HrmpChannelUpdate>();
    const ancestors = new Map<string, Ancestor>();
    let tracker = SegmentTracker.default();

    return (op, step) => {
      switch (op) {
        case "outboundLimits": {
          const limits = OutboundBandwidthLimits.fromRelayChainState(
            readMessagingState(step.sub("messagingState")),
          );
          return okOutcome(limits);
        }
        case "hrmpChannelAppend": {
          const name = step.str("update");
          const recipient = u32(step, "recipient");
          const other = readChannelUpdate(step);
          const limits: OutboundBandwidthLimits = {
            umpMessagesRemaining: 0,
            umpBytesRemaining: 0,
            hrmpOutgoing: new Map([[recipient, readHrmpLimits(step.sub("limits"))]]),
          };
          const current = updates.get(name) ?? HrmpChannelUpdate.default();
          const r = HrmpChannelUpdate.append(current, other, recipient, limits);
          if (r.ok) updates.set(name, r.value);
          return fromResult(r);
        }
        case "segmentAppend": {
          const name = step.str("name");
          const ancestor = readAncestor(step.sub("ancestor"));
          const watermark = readWatermark(step, "hrmpWatermark");
          const limits = readLimits(step.sub("limits"));
          ancestors.set(name, ancestor);
          const r = SegmentTracker.append(tracker, ancestor, watermark, limits);
          if (r.ok) tracker = r.value;
          return fromResult(r, trackerView);
        }
        case "segmentSubtract": {
          const name = step.str("ancestor");
          const ancestor = ancestors.get(name);
          if (ancestor === undefined) {
            throw new VectorError(
              `${step.at("ancestor")}: no ancestor named ${JSON.stringify(name)} was appended`,
            );
          }
          tracker = SegmentTracker.subtract(tracker, ancestor);
          return okOutcome(trackerView(tracker));
        }
        case "tracker":
          return okOutcome(trackerView(tracker));
        case "sizeAfterIncluded": {
          const segment = step
            .arr("segment")
            .map((v, i) => ({ paraHeadHash: readHashOrNull(v, `${step.at("segment")}[${i}]`) }));
          return okOutcome(sizeAfterIncluded(step.hash("included"), segment));
        }
      }
      throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite "unincluded-segment"`);
    };
  },
};
