/**
 * A tiny deterministic world for node tests: a manual event queue in virtual µs (a heap ordered
 * by time, then submission), serial CPU
 * pools per actor, a network with a fixed latency (no bandwidth), a relay-chain block store, the
 * modelled `none` crypto, and a log capture. Messages to actors that are not registered are only
 * recorded (`sent`), so a test can play the collator or any absent peer itself.
 */

import type {
  Actor,
  ActorLog,
  AnnouncementGossip,
  BackedCandidateMessage,
  Cancellable,
  ChunkFetching,
  CpuPool,
  PvfHost,
  PvfOutcome,
  RelayChainReader,
  ValidatorEnv,
} from "../../src/actors/env.ts";
import type { ActorId, PoV, ProtocolMessage } from "../../src/actors/protocol.ts";
import { validatorActor } from "../../src/actors/protocol.ts";
import type { Generation } from "../../src/config/generation.ts";
import { Heap } from "../../src/lib/heap.ts";
import type { Hash } from "../../src/lib/hex.ts";
import { Prng } from "../../src/lib/prng.ts";
import type { ValidatorNode } from "../../src/node/validator.ts";
import type { PersistedValidationData } from "../../src/primitives/codecs.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import type { RelayHeader, RuntimeApi } from "../../src/primitives/runtime-api.ts";
import { noneCrypto } from "../../src/primitives/signing.ts";

interface Ev {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export interface SentMessage {
  readonly at: number;
  readonly from: ActorId;
  readonly to: ActorId;
  readonly msg: ProtocolMessage;
}

/** A sent message of one type. */
export type Sent<T extends ProtocolMessage["type"]> = SentMessage & {
  readonly msg: Extract<ProtocolMessage, { type: T }>;
};

export interface CpuJob {
  readonly actor: ActorId;
  readonly pool: CpuPool;
  readonly start: number;
  readonly end: number;
  readonly costUs: number;
}

/** What a fake PVF block carries: its outputs are derived from it. */
export interface FakeBlockData {
  readonly headData: string;
  readonly cpuUs: number;
  readonly invalid?: string;
  readonly newValidationCode?: Uint8Array | null;
}

/** A PVF host that "executes" `FakeBlockData`: the head it names, the CPU time it says. */
export const fakePvf: PvfHost = {
  execute(_code: Hash, pvd: PersistedValidationData, pov: PoV): PvfOutcome {
    const data = pov.blockData as FakeBlockData;
    if (data.invalid !== undefined) {
      return { kind: "Invalid", reason: data.invalid, cpuUs: data.cpuUs };
    }
    return {
      kind: "Valid",
      cpuUs: data.cpuUs,
      outputs: {
        headData: data.headData,
        newValidationCode: data.newValidationCode ?? null,
        upwardMessages: [],
        horizontalMessages: [],
        processedDownwardMessages: 0,
        hrmpWatermark: pvd.relayParentNumber,
      },
    };
  },
};

export class FakeWorld {
  time = 0;
  latencyUs = 5_000;
  verifyCostUs = 40;
  readonly crypto = noneCrypto;
  readonly actors = new Map<ActorId, Actor>();
  readonly sent: SentMessage[] = [];
  readonly cpuJobs: CpuJob[] = [];
  readonly logs: string[] = [];
  /** Whether logs are captured (benchmarks turn it off). */
  logEnabled = true;
  /**
   * Lazily gossiped announcements (`env.announcementGossip`): every copy arrives `latencyUs` after
   * publication, nothing is lost. Off by default (announcements are then ordinary messages).
   */
  lazyAnnouncements = false;
  /** The node rules the validators run: the 2024 generation unless a test says otherwise. */
  generation: Generation = "2024";
  readonly announced: {
    readonly id: number;
    readonly at: number;
    readonly from: ActorId;
    readonly msg: BackedCandidateMessage;
    readonly lazyTo: readonly number[];
  }[] = [];
  /**
   * Lazily computed chunk fetches (`env.chunkFetching`): a request reaches the backer
   * `latencyUs` after it is sent; the backer answers with the chunk iff its store held the data
   * then; the answer arrives `latencyUs` later unless `drop` drops it (as the message would be).
   * Off by default (chunk requests and responses are then ordinary messages).
   */
  lazyChunks = false;
  readonly chunkRequests: {
    readonly at: number;
    readonly from: ActorId;
    readonly to: ActorId;
    readonly candidateHash: string;
  }[] = [];
  /** Drops a message when it returns true (fault injection). */
  drop: (m: SentMessage) => boolean = () => false;
  private seq = 0;
  private readonly queue = new Heap<Ev>((a, b) => a.at - b.at || a.seq - b.seq);
  private readonly cpuFree = new Map<string, number>();
  private readonly blocks = new Map<Hash, RuntimeApi>();
  readonly relayChain: RelayChainReader = {
    header: (hash) => this.blocks.get(hash)?.header ?? null,
    api: (hash) => this.blocks.get(hash) ?? null,
  };

  constructor(readonly nValidators: number) {}

  at(time: number, fn: () => void): Cancellable {
    const ev: Ev = { at: time, seq: this.seq++, fn, cancelled: false };
    this.queue.push(ev);
    return {
      cancel: () => {
        ev.cancelled = true;
      },
    };
  }

  after(delayUs: number, fn: () => void): Cancellable {
    return this.at(this.time + delayUs, fn);
  }

  /** Runs events up to `untilUs` (inclusive); returns how many ran. */
  run(untilUs = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (this.queue.size > 0 && this.queue.peek()!.at <= untilUs) {
      const ev = this.queue.pop()!;
      if (ev.cancelled) continue;
      this.time = ev.at;
      ev.fn();
      n++;
      if (n > 50_000_000) throw new Error("FakeWorld: runaway event loop");
    }
    if (untilUs !== Number.POSITIVE_INFINITY) this.time = Math.max(this.time, untilUs);
    return n;
  }

  send(from: ActorId, to: ActorId, msg: ProtocolMessage): void {
    const m: SentMessage = { at: this.time, from, to, msg };
    this.sent.push(m);
    if (this.drop(m)) return;
    const actor = this.actors.get(to);
    if (actor === undefined) return;
    this.after(this.latencyUs, () => actor.onMessage(from, msg));
  }

  cpu(actor: ActorId, pool: CpuPool, costUs: number, done: () => void): void {
    if (!Number.isSafeInteger(costUs) || costUs < 0) throw new Error(`bad cpu cost ${costUs}`);
    const key = `${actor}/${pool}`;
    const start = Math.max(this.time, this.cpuFree.get(key) ?? 0);
    const end = start + costUs;
    this.cpuFree.set(key, end);
    this.cpuJobs.push({ actor, pool, start, end, costUs });
    this.at(end, done);
  }

  private readonly verified = new WeakMap<Uint8Array, Map<Uint8Array, boolean>>();

  /** The real check, memoised per (signature, key) object pair as the simulator does. */
  verify(message: Uint8Array, signature: Uint8Array, key: Uint8Array): boolean {
    let byKey = this.verified.get(signature);
    const known = byKey?.get(key);
    if (known !== undefined) return known;
    const ok = this.crypto.verify(message, signature, key);
    if (byKey === undefined) {
      byKey = new Map();
      this.verified.set(signature, byKey);
    }
    byKey.set(key, ok);
    return ok;
  }

  addBlock(api: RuntimeApi): void {
    this.blocks.set(api.header.hash, api);
  }

  /** Delivers `RelayBlock` for `header` to the given actors (all registered ones by default). */
  announceBlock(header: RelayHeader, to: readonly ActorId[] = [...this.actors.keys()]): void {
    for (const id of to) this.send("world", id, { type: "RelayBlock", header, bodyBytes: 0 });
  }

  messages<T extends ProtocolMessage["type"]>(
    type: T,
    filter: (m: Sent<T>) => boolean = () => true,
  ): Sent<T>[] {
    return this.sent.filter((m): m is Sent<T> => m.msg.type === type && filter(m as Sent<T>));
  }

  log(actor: ActorId): ActorLog {
    const emit =
      (level: string) =>
      (message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)) => {
        if (!this.logEnabled) return;
        const f = typeof fields === "function" ? fields() : fields;
        this.logs.push(`${this.time} ${actor} ${level} ${message} ${JSON.stringify(f ?? {})}`);
      };
    return {
      enabled: () => this.logEnabled,
      error: emit("error"),
      warn: emit("warn"),
      info: emit("info"),
      debug: emit("debug"),
      trace: emit("trace"),
    };
  }

  private announcementGossip(index: number): AnnouncementGossip {
    const id = validatorActor(index);
    const announced = this.announced;
    return {
      publish: (msg, notTo) => {
        const lazyTo: number[] = [];
        for (let v = 0; v < this.nValidators; v++) if (!notTo.includes(v)) lazyTo.push(v);
        announced.push({ id: announced.length, at: this.time, from: id, msg, lazyTo });
      },
      delivered: (rp, para) =>
        announced
          .filter(
            (a) =>
              a.msg.relayParent === rp &&
              a.msg.receipt.descriptor.paraId === para &&
              a.lazyTo.includes(index),
          )
          .map((a) => ({
            id: a.id,
            from: a.from,
            msg: a.msg,
            deliveredAtUs: a.at + this.latencyUs,
          })),
    };
  }

  private chunkFetching(index: number): ChunkFetching {
    const from = validatorActor(index);
    return {
      request: (candidateHash, backer, sentAtUs) => {
        const to = validatorActor(backer);
        this.chunkRequests.push({ at: sentAtUs, from, to, candidateHash });
        const arrival = sentAtUs + this.latencyUs;
        return {
          response: (nowUs) => {
            const atUs = arrival + this.latencyUs;
            if (atUs > nowUs) return null;
            // The backer's own responder answers, as of the request's arrival.
            const backerNode = this.actors.get(to) as Partial<ValidatorNode> | undefined;
            const chunk =
              backerNode?.availability?.responder.answerChunkRequest(
                candidateHash,
                index,
                arrival,
              ) ?? null;
            const msg: ProtocolMessage = {
              type: "ChunkFetchResponse",
              candidateHash,
              validatorIndex: index,
              chunk,
            };
            if (this.drop({ at: arrival, from: to, to: from, msg })) return null;
            return { atUs, chunk };
          },
        };
      },
    };
  }

  validatorEnv(index: number, pvf: PvfHost = fakePvf): ValidatorEnv {
    const id = validatorActor(index);
    const actors = Array.from({ length: this.nValidators }, (_, i) => validatorActor(i));
    return {
      ...(this.lazyAnnouncements ? { announcementGossip: this.announcementGossip(index) } : {}),
      ...(this.lazyChunks ? { chunkFetching: this.chunkFetching(index) } : {}),
      id,
      validatorIndex: index,
      generation: this.generation,
      validatorActors: actors,
      now: () => this.time,
      after: (d, fn) => this.after(d, fn),
      cpu: (pool, cost, done) => this.cpu(id, pool, cost, done),
      send: (to, msg) => this.send(id, to, msg),
      relayChain: this.relayChain,
      rng: Prng.fromSeed(`fake/${id}`),
      crypto: this.crypto,
      keypair: validatorKeypair(this.crypto, index),
      verify: (m, s, k) => this.verify(m, s, k),
      verifyCostUs: this.verifyCostUs,
      log: this.log(id),
      pvf,
    };
  }
}
