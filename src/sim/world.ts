/**
 * The world: one simulated network built from a scenario. It owns virtual time (the scheduler),
 * the network, the relay chain (block production by the slot author, `applyBlock`, the store of
 * blocks and runtime APIs), the validators and the collators, and implements the environment
 * each actor runs in (`src/node/env.ts`). It observes, never steers: the safety checkers and the
 * report read what the relay chain emitted and what the collators authored.
 *
 * Modelled (stated in docs/simulator.md): relay block N is authored at the start of slot N by a
 * validator drawn round-robin over a seeded permutation and built on block N - 1 (no forks); the
 * author's own proposal time is zero; a signature check costs `VERIFY_COST_US` of CPU on the
 * checking node whatever the crypto mode (the real check runs once per distinct signed object
 * and is memoised); a validator's PVF execution takes the block's weight x `validatorSpeed`.
 *
 * Performance model (what makes a 600-validator network tractable; the protocol is unchanged):
 * - Broadcasts go through the network's `multicast` (`env.multicast`, used for backed-candidate
 *   announcements to the groups of the para's other cores): every copy keeps its own upload,
 *   latency and loss draw and its receiver's CPU charge, but copies are delivered in 1 ms buckets
 *   (at most ~2 ms late).
 * - Backed-candidate announcements to the other validators are lazily materialised gossip
 *   (`env.announcementGossip`, `AnnouncementBoard`): the sender's uplink pays for every copy when
 *   it publishes; a copy's delivery is computed when its receiver first reads the para (its
 *   prospective parachains or its provisioner), and it is taken in then, as of the time its
 *   signature checks would have finished. At 600 validators and 100 paras that is ~60,000 fewer
 *   imports per relay block.
 * - Availability bitfields are lazily materialised gossip (`env.bitfieldGossip`): the sender's
 *   uplink pays for every copy when it publishes; the copies reaching a validator, their latency
 *   and loss (from that receiver's own stream) and its signature checks (FIFO on its
 *   `bitfield-distribution` pool) are computed only when it authors a block, the only time its
 *   provisioner reads them. The other ~359,000 copies per relay block cost nothing.
 * - Chunk fetches are lazily computed request/response (`env.chunkFetching`, `ChunkFetchBoard`):
 *   a request's trip, the backer's answer (its data when the request arrived, its uplink shared
 *   with its other chunk responses in arrival order) and the response's trip are computed when
 *   the requester looks, which it does before it signs its bitfield: ~120,000 messages per relay
 *   block at Polkadot scale become arithmetic.
 * - The signature memo is keyed by the signature object (every recipient gets the same one).
 * - The relay chain store keeps the state and runtime API of the last 32 blocks only.
 */

import type {
  Actor,
  ActorEnv,
  AuthoredBlockInfo,
  BitfieldDelivery,
  BitfieldMessage,
  CollatorEnv,
  CpuPool,
  PvfHost,
  ValidatorEnv,
} from "../actors/env.ts";
import {
  type ActorId,
  collatorActor,
  messageSizeBytes,
  type ProtocolMessage,
  validatorActor,
} from "../actors/protocol.ts";
import type { CollatorBase } from "../collator/collator.ts";
import {
  createCollator,
  createParachain,
  type ParachainSetup,
  type RuntimePanicInfo,
} from "../collator/index.ts";
import { hostConfigurationFromScenario } from "../config/from-scenario.ts";
import type { Scenario } from "../config/scenario.ts";
import { assert } from "../lib/assert.ts";
import { bytesEqual, type Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { Prng } from "../lib/prng.ts";
import { ValidatorNode } from "../node/validator.ts";
import { hashHex } from "../primitives/hashing.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import { collatorKeypair, validatorKeypair } from "../primitives/keys.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { type Crypto, type CryptoProvider, pureCrypto } from "../primitives/signing.ts";
import { applyBlock } from "../relay/apply-block.ts";
import { genesis as relayGenesis } from "../relay/genesis.ts";
import { runtimeApi } from "../relay/runtime-api.ts";
import type { RelayEvent, RelayState } from "../relay/state.ts";
import type { BlockFacts, ReportEvent } from "../report/run-report.ts";
import { AnnouncementBoard } from "./announcement-board.ts";
import { SafetyChecker, type Violation } from "./checkers.ts";
import { ChunkFetchBoard } from "./chunk-fetching.ts";
import { ActorLogger, Logger, type LogLevel, type LogSink } from "./log.ts";
import { type LazyBroadcast, Network } from "./network.ts";
import { RelayChainStore } from "./relay-chain.ts";
import { Cpu, Scheduler } from "./scheduler.ts";
import { Trace } from "./trace.ts";

/**
 * Modelled CPU time of one signature check on a validator (sr25519 verification in native code,
 * schnorrkel: tens of µs). Charged in every crypto mode, so that the mode changes what parapipe
 * computes for real, never the modelled Polkadot.
 */
export const VERIFY_COST_US = 50;

/** The bitfields gossiped for one relay parent. */
interface BitfieldBoard {
  readonly number: number;
  readonly published: {
    readonly fromIndex: number;
    readonly from: ActorId;
    readonly msg: BitfieldMessage;
    readonly lazy: LazyBroadcast;
  }[];
}

/** One real signature check done by `World.verify`. */
interface VerifiedSignature {
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly ok: boolean;
}

export interface WorldOptions {
  /** Crypto implementations (the CLI injects native ones); default: the pure ones. */
  readonly crypto?: CryptoProvider;
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
  /** Called after each relay block is produced. */
  readonly onRelayBlock?: (number: number, total: number) => void;
  /** Keep this many trace entries (0: only the hash). */
  readonly traceRetain?: number;
  /**
   * Carry backed-candidate announcements and chunk fetches as messages (checked on receipt)
   * instead of lazily materialised gossip and lazily computed fetches: slower, for comparing
   * the two (see docs/simulator.md "Performance model").
   */
  readonly eagerDelivery?: boolean;
}

export interface RelayBlockRecord {
  readonly header: RelayHeader;
  readonly author: ActorId;
  readonly events: readonly RelayEvent[];
  readonly offered: ParachainsInherentData;
  readonly accepted: ParachainsInherentData;
}

/** How many peers a node forwards a new relay block to. */
export const BLOCK_GOSSIP_FANOUT = 8;

/**
 * Relay-block propagation (modelled): Substrate announces a block and its peers request it; here
 * the two are folded into one message carrying the block, and each actor forwards a block it
 * receives for the first time to `BLOCK_GOSSIP_FANOUT` peers of a fixed graph drawn from the
 * seed (its ring successor, so the graph is connected, and random others). In a small network
 * that is nearly everyone; in a 600-validator one a block reaches everybody in a few hops instead
 * of the author uploading it 800 times.
 */
export function blockGossipPeers(actors: readonly ActorId[], rng: Prng): Map<ActorId, ActorId[]> {
  const out = new Map<ActorId, ActorId[]>();
  const n = actors.length;
  actors.forEach((id, i) => {
    const peers = new Set<ActorId>();
    if (n > 1) peers.add(actors[(i + 1) % n]!);
    const want = Math.min(BLOCK_GOSSIP_FANOUT, n - 1);
    while (peers.size < want) {
      const j = rng.int(n);
      if (j !== i) peers.add(actors[j]!);
    }
    out.set(id, [...peers]);
  });
  return out;
}

export class World {
  readonly scheduler = new Scheduler();
  readonly cpu: Cpu;
  readonly network: Network;
  readonly trace: Trace;
  readonly logger: Logger;
  readonly chain = new RelayChainStore<RelayState>();
  readonly validators: ValidatorNode[] = [];
  readonly collators: CollatorBase[] = [];
  readonly paras: ParachainSetup[] = [];
  readonly checker: SafetyChecker;
  readonly events: ReportEvent[] = [];
  readonly blocks = new Map<Hash, BlockFacts & AuthoredBlockInfo>();
  readonly panics: RuntimePanicInfo[] = [];
  readonly relayBlocks: RelayBlockRecord[] = [];
  private readonly actors = new Map<ActorId, Actor>();
  private readonly crypto: Crypto;
  private readonly rng: Prng;
  private readonly slotUs: number;
  private readonly authorOrder: number[];
  /** Who each actor forwards a new relay block to (a fixed seeded graph, see `blockGossipPeers`). */
  private readonly blockPeers: ReadonlyMap<ActorId, readonly ActorId[]>;
  /** Real signature checks done, per signature object (see `verify`). */
  private readonly verified = new WeakMap<Uint8Array, VerifiedSignature[]>();
  private readonly totalBlocks: number;
  private readonly validatorActors: readonly ActorId[];
  /** Per validator index: every other validator, in index order (a bitfield's recipients). */
  private readonly peersOf: (readonly ActorId[])[] = [];
  /** Lazily materialised bitfield broadcasts, per relay parent. */
  private readonly bitfieldBoards = new Map<Hash, BitfieldBoard>();
  private readonly announcements: AnnouncementBoard;
  private readonly chunkFetches: ChunkFetchBoard;
  /** Relay blocks an announcement board is kept: a relay parent's view outlives it by far. */
  private readonly announcementRetainBlocks: number;

  constructor(
    readonly scenario: Scenario,
    private readonly options: WorldOptions = {},
  ) {
    this.rng = Prng.fromSeed(scenario.seed);
    this.cpu = new Cpu(this.scheduler);
    this.network = new Network(this.scheduler, this.rng, scenario.network);
    this.trace = new Trace({ retain: options.traceRetain ?? 0 });
    this.slotUs = scenario.relay.slotDurationMs * 1000;
    this.totalBlocks = scenario.warmupRelayBlocks + scenario.relayBlocks;
    this.logger = new Logger({
      clock: this.scheduler,
      chainClock: (t) => {
        const tip = this.chain.length > 0 ? this.chain.tip.header.number : 0;
        return { relayBlock: tip, offsetUs: t - tip * this.slotUs };
      },
      sink: options.logSink ?? (() => {}),
      level: options.logLevel ?? "warn",
    });
    this.crypto = (options.crypto ?? pureCrypto)(scenario.crypto);

    const n = scenario.relay.validators;
    const config = hostConfigurationFromScenario(scenario.relay.hostConfiguration);
    const keys = Array.from({ length: n }, (_, i) => validatorKeypair(this.crypto, i));

    // Paras: genesis, state store, load and PVF; cores in list order (core 0 first).
    let nextCore = 0;
    const genesisParas = scenario.parachains.map((spec) => {
      const setup = createParachain(spec, this.rng.fork(`para/${spec.id}`));
      this.paras.push(setup);
      const cores = Array.from({ length: spec.cores }, () => nextCore++);
      return {
        id: spec.id,
        genesisHead: setup.genesis.headData,
        validationCode: setup.genesis.validationCode,
        cores,
      };
    });
    const g = relayGenesis({
      config,
      validatorKeys: keys.map((k) => k.publicKey),
      paras: genesisParas,
    });
    this.chain.add({ header: g.header, state: g.state, api: runtimeApi(g.state, g.header) });

    const pvfByCode = new Map<Hash, ParachainSetup>();
    for (const p of this.paras) pvfByCode.set(p.genesis.validationCodeHash, p);
    const speed = scenario.validatorSpeed;
    const pvf: PvfHost = {
      execute: (codeHash, pvd, pov) => {
        const para = pvfByCode.get(codeHash);
        if (!para)
          return { kind: "Invalid", reason: `unknown validation code ${codeHash}`, cpuUs: 0 };
        const r = para.pvf(pvd, pov);
        return { ...r, cpuUs: Math.round(r.cpuUs * speed) };
      },
    };

    const validatorActors = keys.map((_, i) => validatorActor(i));
    this.validatorActors = validatorActors;
    this.announcements = new AnnouncementBoard(
      this.network,
      this.rng.fork("announcement-gossip"),
      validatorActors,
      (hash) => this.chain.header(hash)?.number ?? 0,
    );
    this.announcementRetainBlocks = config.asyncBackingParams.allowedAncestryLen + 4;
    this.chunkFetches = new ChunkFetchBoard(
      this.network,
      this.rng.fork("chunk-fetching"),
      validatorActors,
      {
        storedAt: (v, hash) => this.validators[v]?.availabilityStore.availableDataStoredAt(hash),
        povBytes: (v, hash) =>
          this.validators[v]?.availabilityStore.availableData(hash)?.pov.sizeBytes ?? 0,
      },
    );
    keys.forEach((keypair, i) => {
      const env: ValidatorEnv = {
        ...this.actorEnv(validatorActors[i]!, keypair),
        validatorIndex: i,
        validatorActors,
        pvf,
        bitfieldGossip: {
          publish: (msg) => this.publishBitfield(i, msg),
          delivered: (relayParent) => this.deliveredBitfields(i, relayParent),
        },
        ...(options.eagerDelivery
          ? {}
          : {
              announcementGossip: {
                publish: (msg, lazyTo) => this.announcements.publish(i, msg, lazyTo),
                delivered: (relayParent, paraId) =>
                  this.announcements.delivered(i, relayParent, paraId),
              },
              chunkFetching: {
                request: (candidateHash, backer, sentAtUs) =>
                  this.chunkFetches.request(i, candidateHash, backer, sentAtUs),
              },
            }),
      };
      const node = new ValidatorNode(env);
      this.validators.push(node);
      this.actors.set(node.id, node);
    });

    for (const para of this.paras) {
      const spec = para.spec;
      const ids = Array.from({ length: spec.collators }, (_, i) => collatorActor(spec.id, i));
      ids.forEach((id, i) => {
        const env: CollatorEnv = {
          ...this.actorEnv(id, collatorKeypair(this.crypto, spec.id, i)),
          paraId: spec.id,
          collatorIndex: i,
          peers: ids.filter((p) => p !== id),
          validatorActors,
          noteAuthored: (info) => this.noteAuthored(info),
        };
        const collator = createCollator(env, spec, para, {
          relaySlotDurationMs: scenario.relay.slotDurationMs,
          onRuntimePanic: (info) => this.panics.push(info),
        });
        this.collators.push(collator);
        this.actors.set(collator.id, collator);
      });
    }

    this.checker = new SafetyChecker({
      config,
      validators: n,
      genesisHeads: new Map(this.paras.map((p) => [p.spec.id, p.genesis.headHash])),
      blockFacts: (hash) => this.blocks.get(hash),
      groups: g.state.scheduler.validatorGroups,
      sessionStartBlock: g.state.scheduler.sessionStartBlock,
      relayNumber: (hash) => this.chain.header(hash)?.number,
    });

    // A seeded slot-author order (BABE's VRF lottery, modelled as a round-robin permutation).
    this.authorOrder = this.rng.fork("babe").shuffle(Array.from({ length: n }, (_, i) => i));
    this.blockPeers = blockGossipPeers([...this.actors.keys()], this.rng.fork("block-gossip"));
    for (let b = 1; b <= this.totalBlocks; b++) {
      this.scheduler.at(b * this.slotUs, () => this.produceBlock(b), `relay block ${b}`);
    }
  }

  /** The environment shared by every actor kind. */
  private actorEnv(id: ActorId, keypair: ActorEnv["keypair"]): ActorEnv {
    const sched = this.scheduler;
    const poolKeys = new Map<CpuPool, string>();
    return {
      id,
      now: () => sched.now,
      after: (delayUs, fn) => sched.after(Math.max(0, Math.round(delayUs)), fn, id),
      cpu: (pool: CpuPool, costUs, done) => {
        let key = poolKeys.get(pool);
        if (key === undefined) {
          key = `${id}/${pool}`;
          poolKeys.set(pool, key);
        }
        this.cpu.submit(key, Math.max(0, Math.round(costUs)), done, id);
      },
      send: (to, msg) => this.send(id, to, msg),
      multicast: (to, msg) => this.multicast(id, to, msg),
      relayChain: this.chain,
      rng: this.rng.fork(`actor/${id}`),
      crypto: this.crypto,
      keypair,
      verify: (message, signature, publicKey) => this.verify(message, signature, publicKey),
      verifyCostUs: VERIFY_COST_US,
      log: new ActorLogger(this.logger, id, ""),
    };
  }

  private send(from: ActorId, to: ActorId, msg: ProtocolMessage): void {
    const target = this.actors.get(to);
    assert(target !== undefined, () => `${from} sent ${msg.type} to unknown actor ${to}`);
    this.network.send(from, to, messageSizeBytes(msg), () => target.onMessage(from, msg), msg.type);
  }

  private multicast(from: ActorId, to: readonly ActorId[], msg: ProtocolMessage): void {
    const targets = to.map((peer) => {
      const target = this.actors.get(peer);
      assert(target !== undefined, () => `${from} sent ${msg.type} to unknown actor ${peer}`);
      return target;
    });
    this.network.multicast(
      from,
      to,
      messageSizeBytes(msg),
      (_peer, i) => targets[i]!.onMessage(from, msg),
      msg.type,
    );
  }

  private peers(index: number): readonly ActorId[] {
    let peers = this.peersOf[index];
    if (peers === undefined) {
      peers = this.validatorActors.filter((_, v) => v !== index);
      this.peersOf[index] = peers;
    }
    return peers;
  }

  /** Bitfield gossip: validator `index` sends its signed bitfield to every other validator. */
  private publishBitfield(index: number, msg: BitfieldMessage): void {
    const board = getOrInsertComputed(this.bitfieldBoards, msg.relayParent, (rp) => ({
      number: this.chain.header(rp)?.number ?? 0,
      published: [],
    }));
    const from = this.validatorActors[index]!;
    const lazy = this.network.lazyBroadcast(from, this.peers(index), messageSizeBytes(msg));
    board.published.push({ fromIndex: index, from, msg, lazy });
  }

  /**
   * The copies of the bitfields for `relayParent` delivered to validator `index`, in delivery
   * order (then publication order). Each copy's latency and loss come from the receiver's own
   * stream for that relay parent, drawn in publication order, so the answer does not depend on
   * who asked before or how often.
   */
  private deliveredBitfields(index: number, relayParent: Hash): BitfieldDelivery[] {
    const board = this.bitfieldBoards.get(relayParent);
    if (board === undefined) return [];
    const rng = this.rng.fork(`bitfield-gossip/${relayParent}/${index}`);
    const out: BitfieldDelivery[] = [];
    for (const p of board.published) {
      if (p.fromIndex === index) continue;
      const copy = index < p.fromIndex ? index : index - 1;
      const at = this.network.lazyDelivery(p.lazy, copy, rng);
      if (at !== null) out.push({ from: p.from, msg: p.msg, deliveredAtUs: at });
    }
    return out.sort((a, b) => a.deliveredAtUs - b.deliveredAtUs);
  }

  /**
   * The real signature check, once per distinct signed object: memoised per signature object
   * (every recipient of a message gets the same object), then per (message, key) by identity or,
   * failing that, by content (the relay runtime rebuilds the payload it checks). A signature
   * object is only ever used with one or two payload objects, so the list stays tiny; the memo
   * goes away with the signature (a `WeakMap`), so long runs do not accumulate it.
   */
  private verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
    let known = this.verified.get(signature);
    if (known !== undefined) {
      for (const k of known) {
        if (
          (k.message === message || bytesEqual(k.message, message)) &&
          (k.publicKey === publicKey || bytesEqual(k.publicKey, publicKey))
        ) {
          return k.ok;
        }
      }
    } else {
      known = [];
      this.verified.set(signature, known);
    }
    const ok = this.crypto.verify(message, signature, publicKey);
    known.push({ message, publicKey, ok });
    return ok;
  }

  private noteAuthored(info: AuthoredBlockInfo): void {
    this.blocks.set(info.headHash, { ...info, authoredAtUs: this.scheduler.now });
    this.trace.record(this.scheduler.now, info.author, "ParaBlockAuthored", {
      para: info.paraId,
      number: info.number,
      head: info.headHash,
      weightUs: info.weightUs,
    });
  }

  /** Slot N: its author builds block N on block N - 1 and announces it to everyone. */
  private produceBlock(number: number): void {
    // Bitfields are read by the author of the child of their relay parent: older ones are done.
    for (const [hash, board] of this.bitfieldBoards) {
      if (board.number < number - 2) this.bitfieldBoards.delete(hash);
    }
    this.announcements.prune(number, this.announcementRetainBlocks);
    this.chunkFetches.prune(this.scheduler.now - 4 * this.slotUs);
    const parent = this.chain.tip;
    assert(
      parent.header.number === number - 1,
      () => `block ${number}: the tip is ${parent.header.number}`,
    );
    const authorIndex = this.authorOrder[number % this.authorOrder.length]!;
    const author = this.validators[authorIndex]!;
    const offered = author.provideInherentData(parent.header);
    const result = applyBlock(
      parent.state,
      {
        number,
        parentHash: parent.header.hash,
        parentStateRoot: parent.header.stateRoot,
        slot: number,
      },
      offered,
      { verify: (m, s, k) => this.verify(m, s, k) },
    );
    const header = result.header;
    this.chain.add({ header, state: result.post, api: runtimeApi(result.post, header) });
    for (const e of result.events) {
      if (e.kind === "UpwardMessagesReceived") continue;
      this.events.push({
        relayBlock: number,
        type: e.kind,
        paraId: e.paraId,
        candidateHash: e.candidateHash,
        core: e.core,
        headHash: hashHex(e.headData),
      });
    }
    const record: RelayBlockRecord = {
      header,
      author: author.id,
      events: result.events,
      offered,
      accepted: result.accepted,
    };
    this.relayBlocks.push(record);
    this.checker.onBlock({
      number,
      events: result.events,
      offered,
      accepted: result.accepted,
      dropped: result.dropped,
      decision: author.provisioner.lastDecision,
    });
    this.trace.record(this.scheduler.now, author.id, "RelayBlock", {
      number,
      hash: header.hash,
      backed: result.accepted.backedCandidates.length,
      bitfields: result.accepted.bitfields.length,
      events: result.events.length,
    });

    // Announce: the block body carries the backed candidates and bitfields.
    const bodyBytes =
      result.accepted.backedCandidates.length * 1200 + result.accepted.bitfields.length * 100;
    const msg: ProtocolMessage = { type: "RelayBlock", header, bodyBytes };
    author.onMessage(author.id, msg);
    this.network.gossip(
      author.id,
      messageSizeBytes(msg),
      (node) => this.blockPeers.get(node) ?? [],
      (node, from) => this.actors.get(node)!.onMessage(from, msg),
      "RelayBlock",
    );
    this.options.onRelayBlock?.(number, this.totalBlocks);
  }

  /** Run to the end of the scenario: the last relay block is produced at its slot start. */
  run(): void {
    this.scheduler.runUntil(this.totalBlocks * this.slotUs);
  }

  get violations(): readonly Violation[] {
    return this.checker.violations;
  }
}
