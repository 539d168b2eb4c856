/**
 * Per-subsystem logging over the actor's single `ActorLog`: each subsystem of the validator
 * ("backing", "prospective-parachains", "provisioner", "bitfield-signing", "collator-protocol",
 * "availability-distribution") logs under its Polkadot name.
 *
 * `ActorLog` carries no subsystem of its own, so the name is prefixed to the message
 * (`v3 <world subsystem>: backing: Candidate seconded {...}`). If the world's logger offers a
 * `child(subsystem)` method (an `ActorLogger` per subsystem), it is used instead and the prefix
 * disappears; nothing else changes.
 *
 * Invariant: a disabled level costs one comparison (the fields thunk is never called).
 *
 * Ref: the `LOG_TARGET`s of polkadot/node/core/* and polkadot/node/network/* (e.g.
 *      "parachain::candidate-backing"), shortened to the subsystem names.
 */
import type { ActorLog } from "../../actors/env.ts";

type Level = "error" | "warn" | "info" | "debug" | "trace";
type Fields = Record<string, unknown> | (() => Record<string, unknown>);

/** The node's subsystems that log, under these names (also the `--log` targets). */
export const SUBSYSTEM_NAMES = [
  "backing",
  "prospective-parachains",
  "provisioner",
  "bitfield-signing",
  "collator-protocol",
  "availability-distribution",
  "statement-distribution",
  "bitfield-distribution",
  "approval-voting",
  "validator",
] as const;

export type SubsystemName = (typeof SUBSYSTEM_NAMES)[number];

interface WithChild {
  child(subsystem: string): ActorLog;
}

function hasChild(log: ActorLog): log is ActorLog & WithChild {
  return typeof (log as Partial<WithChild>).child === "function";
}

/** A log for one subsystem of the node. */
export function subsystemLog(log: ActorLog, subsystem: SubsystemName): ActorLog {
  if (hasChild(log)) return log.child(subsystem);
  const prefix = `${subsystem}: `;
  const emit =
    (level: Level) =>
    (message: string, fields?: Fields): void => {
      if (!log.enabled(level)) return;
      log[level](prefix + message, fields);
    };
  return {
    enabled: (level) => log.enabled(level),
    error: emit("error"),
    warn: emit("warn"),
    info: emit("info"),
    debug: emit("debug"),
    trace: emit("trace"),
  };
}
