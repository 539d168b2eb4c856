/**
 * The world: the composition root of one simulated network built from a scenario. It creates
 * virtual time (the scheduler and CPU model), the network, the relay chain store and its genesis,
 * the paras, the validators and the collators, the lazily materialised traffic between validators
 * (`BitfieldBoard`, `AnnouncementBoard`, `ChunkFetchBoard`) and relay-block production
 * (`RelayBlockProduction`), wires them together, and implements the environment each actor runs
 * in (`src/actors/env.ts`: time, CPU pools, messages, the signature check). It observes, never
 * steers: the safety checkers and the layers above read what it records (`records.ts`).
 *
 * Modelled (stated in docs/simulator.md): a signature check costs `VERIFY_COST_US` of CPU on the
 * checking node whatever the crypto mode (the real check runs once per distinct signed object
 * and is memoised); a validator's PVF execution takes the block's weight x `validatorSpeed`;
 * relay blocks as `relay-block-production.ts` states (one author per slot, no forks).
 *
 * Faults: the scenario's `crash` and `collator-offline` faults (`crash-faults.ts`) gate the
 * nodes they name (no messages either way, no relay blocks, no authoring, no finality vote) and
 * restart them at the fault's end; runs without them take the unchanged paths.
 *
 * Memory: after every relay block it drops what nothing reads any more (the paras' old
 * transactions, blocks and states, `para-pruning.ts`; the finalized relay blocks' records), so a
 * run holds a window plus what the report reads (docs/simulator.md "Memory"; `keepHistory` keeps
 * everything, for tests).
 *
 * Performance model (what makes a 600-validator network tractable; the protocol is unchanged):
 * the lazy inboxes (the three boards), coalesced multicast, the validators' shared computations
 * (`NodeCaches`, one per world) and the signature memo, all described once in docs/simulator.md
 * "Performance model".
 */

import type {
  Actor,
  ActorEnv,
  AuthoredBlockInfo,
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
import type { CollatorBase, CollatorOptions } from "../collator/collator.ts";
import {
  createCollator,
  createParachain,
  type ParachainSetup,
  type RuntimePanicInfo,
} from "../collator/index.ts";
import {
  collatorRestartsOf,
  hostConfigurationFromScenario,
  runtimeUpgradesOf,
} from "../config/from-scenario.ts";
import type { HostConfiguration } from "../config/host-configuration.ts";
import { type ParachainSpec, type Scenario, scenarioFaults } from "../config/scenario.ts";
import { assert } from "../lib/assert.ts";
import { bytesEqual, type Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { Prng } from "../lib/prng.ts";
import { NodeCaches } from "../node/caches.ts";
import type { ApprovalVoting } from "../node/core/approval-voting/subsystem.ts";
import { ValidatorNode } from "../node/validator.ts";
import { runtimeConfigOfCode } from "../parachain/code.ts";
import { createPvf, type Pvf } from "../parachain/pvf.ts";
import type { CandidateHash } from "../primitives/codecs.ts";
import { collatorKeypair, validatorKeypair } from "../primitives/keys.ts";
import {
  type Crypto,
  type CryptoProvider,
  type Keypair,
  pureCrypto,
} from "../primitives/signing.ts";
import type { PlantedBug } from "../relay/buggify.ts";
import { genesis as relayGenesis } from "../relay/genesis.ts";
import { runtimeApi } from "../relay/runtime-api.ts";
import type { RelayState } from "../relay/state.ts";
import { Adversaries } from "./adversaries.ts";
import { AnnouncementBoard } from "./announcement-board.ts";
import { ApprovalBoard } from "./approval-board.ts";
import { ApprovalRecorder } from "./approval-records.ts";
import { type ApprovalViews, approvalViewsFor, sharedApprovalView } from "./approval-views.ts";
import { BitfieldBoard } from "./bitfield-board.ts";
import { SafetyChecker, type Violation } from "./checkers.ts";
import { ChunkFetchBoard, type ChunkFetchFault } from "./chunk-fetching.ts";
import { CrashFaults, gateValidatorEnv } from "./crash-faults.ts";
import { Finality } from "./finality.ts";
import { ActorLogger, Logger, type LogLevel, type LogLevels, type LogSink } from "./log.ts";
import { NetFaults, slowedPvfHost } from "./net-faults.ts";
import { Network } from "./network.ts";
import { ParaPruning } from "./para-pruning.ts";
import type {
  AuthoredBlockRecord,
  CandidateTraffic,
  InclusionEventRecord,
  RelayBlockRecord,
} from "./records.ts";
import { RelayBlockProduction } from "./relay-block-production.ts";
import { RelayChainStore } from "./relay-chain.ts";
import { Cpu, Scheduler } from "./scheduler.ts";
import { SessionChanges } from "./session-changes.ts";
import { Trace } from "./trace.ts";

/**
 * Modelled CPU time of one signature check on a validator (sr25519 verification in native code,
 * schnorrkel: tens of µs). Charged in every crypto mode, so that the mode changes what parapipe
 * computes for real, never the modelled Polkadot.
 */
export const VERIFY_COST_US = 50;

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
  /** One level, or levels per target (`parseLogSpec`); default `warn`. */
  readonly logLevel?: LogLevel | LogLevels;
  /**
   * Called after each relay block is produced, with the slot it was authored in and the run's
   * slots (progress; without empty slots the slot is the block number).
   */
  readonly onRelayBlock?: (slot: number, total: number) => void;
  /**
   * Keep what a long run drops once nothing reads it (docs/simulator.md "Memory"): every relay
   * block's record (`relayBlocks`), and each para's whole transaction pool, block trees and
   * post-states. For tests: those that read every record, and the one that shows dropping never
   * changes a run. Default: relay block records from the last finalized block on, the paras'
   * data from their window (`src/sim/para-pruning.ts`).
   */
  readonly keepHistory?: boolean;
  /** Keep this many trace entries (0: only the hash). */
  readonly traceRetain?: number;
  /**
   * Carry backed-candidate announcements and chunk fetches as messages (checked on receipt)
   * instead of lazily materialised gossip and lazily computed fetches: slower, for comparing
   * the two (see docs/simulator.md "Performance model").
   */
  readonly eagerDelivery?: boolean;
  /**
   * A fault on validators' chunk fetches (tests of availability; lazily computed fetches only):
   * lose a requester's requests, or delay their responses.
   */
  readonly chunkFetchFault?: ChunkFetchFault;
  /**
   * Validators offline for a while (tests of approval checking; scenarios have the `crash` fault,
   * which cuts a node off entirely): from `fromUs` to `toUs` their direct messages, sent or received, and their approval
   * gossip, published or delivered, are lost; their nodes keep running and keep importing relay
   * blocks; bitfield and backing gossip still flow; they do not vote for finality.
   */
  readonly offline?: readonly OfflineWindow[];
  /**
   * Called when a validator publishes an approval assignment. Its certificate carries the VRF
   * proof made for it (a real sr25519 VRF signature with `crypto: sr25519`), which no crypto
   * provider call shows (approval-voting/vrf.ts signs with @scure directly). Observation only:
   * `npm run bench -- --only scaling` counts a run's VRF proofs with it (bench/scaling.ts).
   */
  readonly onAssignmentPublished?: () => void;
  /**
   * Called when a candidate's available data is erasure-coded (once per candidate: the encoding
   * is shared), with the validator count and the payload's size. Observation only: `npm run bench
   * -- --only scaling` counts a run's encodings with it for the erasure floor (bench/scaling.ts).
   */
  readonly onErasureEncoded?: (nValidators: number, payloadBytes: number) => void;
  /**
   * How validators see each other's approval gossip (src/sim/approval-views.ts, docs/simulator.md
   * "Approval views"); default: `shared` from 100 validators on a network without loss, faults,
   * adversaries or offline windows, else `per-validator`. `shared` with faults, adversaries or
   * offline windows is refused.
   */
  readonly approvalViews?: ApprovalViews;
  /** A planted bug in the relay runtime (`PARAPIPE_BUGGIFY`, src/relay/buggify.ts); none: off. */
  readonly buggify?: PlantedBug;
}

/** Validators (indices) offline from `fromUs` to `toUs` (see `WorldOptions.offline`). */
export interface OfflineWindow {
  readonly validators: readonly number[];
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * The validators' PVF host: a candidate's validation code names its para's PVF. Genesis code is
 * known from the start; code a para scheduled later (a runtime upgrade) is fetched by hash from
 * the relay chain (`validation_code_by_hash`, where scheduling stored it) and compiled on first
 * use; unknown code is invalid. A validation's CPU time is the block's weight x `validatorSpeed`
 * (modelled).
 */
function pvfHost(
  paras: readonly ParachainSetup[],
  speed: number,
  codeByHash: (hash: Hash) => Uint8Array | null,
): PvfHost {
  const pvfByCode = new Map<Hash, Pvf>();
  for (const p of paras) pvfByCode.set(p.genesis.validationCodeHash, p.pvf);
  const compile = (hash: Hash): Pvf | null => {
    const bytes = codeByHash(hash);
    const config = bytes === null ? null : runtimeConfigOfCode(bytes);
    const para = config === null ? undefined : paras.find((p) => p.spec.id === config.paraId);
    if (config === null || para === undefined) return null;
    const pvf = createPvf(para.store, config);
    pvfByCode.set(hash, pvf);
    return pvf;
  };
  return {
    execute: (codeHash, pvd, pov) => {
      const pvf = pvfByCode.get(codeHash) ?? compile(codeHash);
      if (pvf === null)
        return { kind: "Invalid", reason: `unknown validation code ${codeHash}`, cpuUs: 0 };
      const r = pvf(pvd, pov);
      return { ...r, cpuUs: Math.round(r.cpuUs * speed) };
    },
  };
}

/**
 * Relay blocks an announcement board outlives its relay parent's allowed ancestry (a modelling
 * bound: relay parents leave every validator's view well before).
 */
export const ANNOUNCEMENT_RETAIN_EXTRA_BLOCKS = 4;
/** approval-distribution `AggressionConfig::l1_threshold` (unfinalized blocks). */
export const AGGRESSION_L1_THRESHOLD = 16;
/** approval-distribution `AggressionConfig::resend_unfinalized_period` (blocks). */
export const RESEND_UNFINALIZED_PERIOD = 8;
/** Slots a computed chunk response is kept after it left its backer (requests time out in 1 s). */
export const CHUNK_RESPONSE_RETAIN_SLOTS = 4;

export class World {
  readonly scheduler = new Scheduler();
  readonly cpu: Cpu;
  readonly network: Network;
  readonly trace: Trace;
  readonly logger: Logger;
  readonly chain = new RelayChainStore<RelayState>();
  readonly validators: ValidatorNode[] = [];
  /** What the validators compute once for all of them (performance model, see docs/simulator.md). */
  readonly caches: NodeCaches;
  /** The PVF host every validator executes candidates with (its env's `pvf`). */
  readonly pvf: PvfHost;
  readonly collators: CollatorBase[] = [];
  private readonly collatorEnvs = new Map<ActorId, CollatorEnv>();
  /** The collator restarts the scenario schedules, by relay block (computed once). */
  private readonly restartsAt = new Map<
    number,
    { readonly para: ParachainSetup; readonly spec: ParachainSpec }[]
  >();
  readonly paras: ParachainSetup[] = [];
  readonly checker: SafetyChecker;
  /** The para blocks the collators authored, by head hash. */
  readonly blocks = new Map<Hash, AuthoredBlockRecord>();
  /** What the network carried for each candidate's availability (PoVs, chunks). */
  readonly traffic = new Map<CandidateHash, CandidateTraffic>();
  readonly panics: RuntimePanicInfo[] = [];
  /** Every included candidate's approval in the next block author's view (the run report). */
  readonly approvals = new ApprovalRecorder();
  /** Modelled GRANDPA over the validators' approval views. */
  readonly finality: Finality;
  /** The scenario's adversaries: what the dishonest actors are handed, and their acts. */
  readonly adversaries: Adversaries;
  private readonly actors = new Map<ActorId, Actor>();
  private readonly crypto: Crypto;
  private readonly rng: Prng;
  private readonly slotUs: number;
  /** Real signature checks done, per signature object (see `verify`). */
  private readonly verified = new WeakMap<Uint8Array, VerifiedSignature[]>();
  private readonly totalBlocks: number;
  private readonly bitfields: BitfieldBoard;
  private readonly announcements: AnnouncementBoard;
  private readonly chunkFetches: ChunkFetchBoard;
  private readonly approvalGossip: ApprovalBoard;
  /** How validators see each other's approval gossip (src/sim/approval-views.ts). */
  readonly approvalViews: ApprovalViews;
  /** The shared approval view, with `shared` views. */
  private readonly sharedView: ApprovalVoting | null;
  private readonly validatorIndexOf = new Map<ActorId, number>();
  private readonly production: RelayBlockProduction;
  /** Drops the paras' pool, block trees and states below what any chain still reads. */
  private readonly pruning: ParaPruning;
  /** The scenario's `crash` and `collator-offline` faults (null: none). */
  private readonly crashes: CrashFaults | null;
  /** Each validator's node incarnation (a crash ends one, a restart starts the next). */
  private readonly incarnations: number[] = [];
  /** Each collator's current spec (a collator upgrade changes it), for an offline one's return. */
  private readonly collatorSpecs = new Map<ActorId, ParachainSpec>();
  /** The collators stopped by `collator-offline`, with what they keep. */
  private readonly offlineCollators = new Map<ActorId, ReturnType<CollatorBase["stop"]>>();
  /** The partition, link, slow and late-bitfields faults (net-faults.ts); null: none. */
  private readonly netFaults: NetFaults | null;

  constructor(
    readonly scenario: Scenario,
    private readonly options: WorldOptions = {},
  ) {
    this.rng = Prng.fromSeed(scenario.seed);
    this.caches = new NodeCaches(options);
    this.cpu = new Cpu(this.scheduler);
    this.network = new Network(this.scheduler, this.rng, scenario.network);
    this.trace = new Trace({ retain: options.traceRetain ?? 0 });
    this.slotUs = scenario.relay.slotDurationMs * 1000;
    this.totalBlocks = scenario.warmupRelayBlocks + scenario.relayBlocks;
    this.logger = new Logger({
      clock: this.scheduler,
      chainClock: (t) => {
        const tip = this.chain.length > 0 ? this.chain.tip.header.number : 0;
        const slot = this.chain.length > 0 ? this.chain.tip.header.slot : 0;
        return { relayBlock: tip, offsetUs: t - slot * this.slotUs };
      },
      sink: options.logSink ?? (() => {}),
      level: options.logLevel ?? "warn",
    });
    this.crypto = (options.crypto ?? pureCrypto)(scenario.crypto);
    this.adversaries = new Adversaries(
      scenario.adversaries,
      scenario.seed,
      () => Math.floor(this.scheduler.now / this.slotUs),
      {
        validators: scenario.relay.validators,
        pendingCores: () =>
          [...this.chain.tip.state.inclusion.pendingAvailability.values()].flatMap((chain) =>
            chain.map((c) => c.core),
          ),
      },
    );
    const crashes = new CrashFaults(scenarioFaults(scenario), this.slotUs, collatorActor);
    this.crashes = crashes.any ? crashes : null;

    const n = scenario.relay.validators;
    this.netFaults = NetFaults.fromFaults(scenarioFaults(scenario), this.slotUs, n, (a) =>
      this.validatorIndexOf.get(a),
    );
    this.network.setFaults(this.netFaults);
    const config = hostConfigurationFromScenario(scenario.relay.hostConfiguration);
    const keys = Array.from({ length: n }, (_, i) => validatorKeypair(this.crypto, i));
    this.addGenesis(config, keys);
    this.pvf = pvfHost(
      this.paras,
      scenario.validatorSpeed,
      (hash) => this.chain.tip.state.paras.codeByHash.get(hash) ?? null,
    );

    // The lazily materialised traffic between validators (docs/simulator.md "Performance model").
    const validatorActors = keys.map((_, i) => validatorActor(i));
    const numberOf = (hash: Hash) => this.chain.header(hash)?.number ?? 0;
    this.bitfields = new BitfieldBoard(this.network, this.rng, validatorActors, numberOf);
    this.announcements = new AnnouncementBoard(
      this.network,
      this.rng.fork("announcement-gossip"),
      validatorActors,
      numberOf,
    );
    this.chunkFetches = new ChunkFetchBoard(
      this.network,
      this.rng.fork("chunk-fetching"),
      validatorActors,
      {
        // Each backer's own responder answers (`answer_chunk_request`, one home).
        answer: (v, requester, hash, atUs) =>
          this.crashes?.validatorDown(v, atUs)
            ? null
            : (this.validators[v]?.availability.responder.answerChunkRequest(
                hash,
                requester,
                atUs,
              ) ?? null),
      },
      options.chunkFetchFault,
      (hash, bytes, withChunk) => this.noteTraffic(hash, bytes, withChunk),
    );

    const crashed = this.crashes;
    this.approvalGossip = new ApprovalBoard(
      this.network,
      this.rng,
      validatorActors,
      numberOf,
      ...(crashed === null ? [] : [(v: number, atUs: number) => crashed.validatorDown(v, atUs)]),
    );
    validatorActors.forEach((a, i) => {
      this.validatorIndexOf.set(a, i);
    });
    this.approvalViews = approvalViewsFor({
      requested: options.approvalViews,
      validators: n,
      faultsOrAdversaries:
        scenarioFaults(scenario).length > 0 ||
        this.adversaries.any ||
        (options.offline?.length ?? 0) > 0,
      loss: scenario.network.loss,
    });
    this.sharedView =
      this.approvalViews === "shared"
        ? sharedApprovalView(
            this.validatorEnv(0, keys[0]!, validatorActors, this.pvf, 0, "approval-view"),
            this.approvalGossip,
            scenario.relay.slotDurationMs,
            this.caches,
          )
        : null;

    this.addValidators(keys, validatorActors, this.pvf);
    this.addCollators(validatorActors);
    for (const para of this.paras) {
      for (const r of collatorRestartsOf(this.scenario, para.spec)) {
        getOrInsertComputed(this.restartsAt, r.atRelayBlock, () => []).push({ para, spec: r.spec });
      }
    }

    // The checker gets the genesis session's validator list (in index order, as genesis.ts
    // keeps it, up to `maxValidators`) and the configuration, nothing of the runtime's state.
    this.checker = new SafetyChecker({
      config,
      genesisSession: {
        startBlock: 1,
        sessionIndex: 0,
        validatorKeys: keys.slice(0, config.maxValidators ?? keys.length).map((k) => k.publicKey),
      },
      genesisHeads: new Map(this.paras.map((p) => [p.spec.id, p.genesis.headHash])),
      blockFacts: (hash) => this.blocks.get(hash),
      relayNumber: (hash) => this.chain.header(hash)?.number,
      verify: (m, sig, k) => this.verify(m, sig, k),
    });

    // Relay blocks, one per slot; each slot first drops the traffic nobody will read any more.
    // An announcement board is kept longer: a relay parent's view outlives it by far.
    const announcementRetainBlocks =
      config.asyncBackingParams.allowedAncestryLen + ANNOUNCEMENT_RETAIN_EXTRA_BLOCKS;
    this.production = new RelayBlockProduction({
      scheduler: this.scheduler,
      network: this.network,
      chain: this.chain,
      trace: this.trace,
      checker: this.checker,
      authors: this.validators,
      actors: this.actors,
      rng: this.rng,
      slotUs: this.slotUs,
      arrivalDelayUs: scenario.relay.blockArrivalDelayMs * 1000,
      verify: (m, s, k) => this.verify(m, s, k),
      sessionChanges: new SessionChanges(scenarioFaults(scenario), this.rng),
      ...(options.buggify === undefined ? {} : { buggify: options.buggify }),
      ...(this.crashes === null
        ? {}
        : {
            beforeSlot: (slot: number) => this.applyCrashFaults(slot),
            authorDown: (v: number, slot: number) => this.crashes!.crashedInSlot(v, slot),
            actorDown: (id: ActorId) => this.actorDown(id, this.scheduler.now),
          }),
      beforeBlock: (number) => {
        this.restartCollators(number);
        this.bitfields.prune(number);
        this.announcements.prune(number, announcementRetainBlocks);
        this.chunkFetches.prune(this.scheduler.now - CHUNK_RESPONSE_RETAIN_SLOTS * this.slotUs);
        this.caches.erasure.advance(number);
      },
      onRejected: (r) => this.adversaries.noteRejected(r),
      afterBlock: (number) => {
        this.afterRelayBlock(number);
        // Progress in slots (with empty slots the last block's number is below the total).
        options.onRelayBlock?.(this.production.slotOf(number) ?? number, this.totalBlocks);
      },
    });
    this.finality = new Finality({
      validators: n,
      slotDurationMs: scenario.relay.slotDurationMs,
      slotOf: (number) => this.production.slotOf(number),
      online: (v) => !this.isOffline(v, this.scheduler.now),
      approvedUpTo: (v, finalized, best) =>
        this.validators[v]!.approvalVoting?.approvedUpTo(finalized, best) ?? best,
      onFinalized: (number) => this.onFinalized(number),
    });
    this.pruning = new ParaPruning({
      paras: this.paras,
      collators: () => this.collators,
      blockFacts: (hash) => this.blocks.get(hash),
      slotDurationMs: scenario.relay.slotDurationMs,
    });
    this.production.schedule(this.totalBlocks);
  }

  /**
   * The relay blocks produced, in order: every one with `keepHistory`, else from the last
   * finalized one on.
   */
  get relayBlocks(): readonly RelayBlockRecord[] {
    return this.production.records;
  }

  /** The inclusion events of every relay block produced, in order. */
  get events(): readonly InclusionEventRecord[] {
    return this.production.events;
  }

  /**
   * The paras (genesis, state store, load and PVF; cores in list order, core 0 first) and the
   * relay chain's genesis block, added to the store. Returns the genesis state.
   */
  private addGenesis(config: HostConfiguration, keys: readonly Keypair[]): RelayState {
    let nextCore = 0;
    const genesisParas = this.scenario.parachains.map((spec) => {
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
    return g.state;
  }

  private addValidators(
    keys: readonly Keypair[],
    validatorActors: readonly ActorId[],
    pvf: PvfHost,
  ): void {
    keys.forEach((keypair, i) => {
      this.incarnations.push(0);
      const node = new ValidatorNode(
        this.validatorEnv(i, keypair, validatorActors, pvf, 0),
        this.caches,
      );
      this.validators.push(node);
      this.actors.set(node.id, node);
    });
  }

  /**
   * Validator `i`'s env for node incarnation `incarnation` (0: the first; a restart starts the
   * next, with its own random stream); gated when a crash fault names the validator.
   */
  private validatorEnv(
    i: number,
    keypair: Keypair,
    validatorActors: readonly ActorId[],
    pvf: PvfHost,
    incarnation: number,
    /** The shared approval view's env (built from validator `i`'s, its own actor). */
    asActor?: ActorId,
  ): ValidatorEnv {
    const options = this.options;
    const malus = this.adversaries.validatorMalus(i);
    // The shared view's own env has none (and is built before `this.sharedView` is set).
    const sharedView = asActor === undefined ? this.sharedView : null;
    const env: ValidatorEnv = {
      ...this.actorEnv(
        asActor ?? validatorActors[i]!,
        keypair,
        incarnation === 0 ? undefined : `restart/${incarnation}`,
      ),
      ...(malus === undefined ? {} : { malus }),
      validatorIndex: i,
      generation: this.scenario.generation,
      validatorActors,
      pvf: slowedPvfHost(pvf, this.netFaults, i, this.scheduler),
      ...(this.netFaults === null
        ? {}
        : {
            bitfieldSigningDelayUs: () => this.netFaults!.bitfieldDelayUs(i, this.scheduler.now),
          }),
      bitfieldGossip: {
        publish: (msg, notTo) => this.bitfields.publish(i, msg, notTo),
        delivered: (relayParent) => this.bitfields.delivered(i, relayParent),
      },
      approvalVoting: {
        gossip: {
          publish: (block, item, bytes) => {
            if (item.kind === "assignment") options.onAssignmentPublished?.();
            if (this.isOffline(i, this.scheduler.now)) return;
            this.approvalGossip.publish(i, block, item, bytes, this.scheduler.now);
          },
          arrivals: (block) => {
            const all = this.approvalGossip.arrivals(i, block);
            if (!this.hasOfflineWindows(i)) return all;
            const kept = all.atUs.map((at) => !this.isOffline(i, at));
            return {
              atUs: all.atUs.filter((_, k) => kept[k]),
              items: all.items.filter((_, k) => kept[k]),
            };
          },
          assignmentsSent: (block, c) => this.approvalGossip.assignmentsSent(block, c),
          done: (block) => this.approvalGossip.forget(i, block),
          copyArrival: (block, k) => this.approvalGossip.copyArrival(i, block, k),
        },
        ...(sharedView === null ? {} : { sharedView }),
        slotDurationMs: this.scenario.relay.slotDurationMs,
        knownData: (hash, group) => {
          for (const b of group) {
            if (this.crashes?.validatorDown(b, this.scheduler.now)) continue;
            const data = this.validators[b]?.availabilityStore.availableData(hash);
            if (data !== undefined) return data;
          }
          return null;
        },
        onApproved: (info) => this.approvals.onApproved(info),
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
    if (this.crashes?.mayCrash(i) !== true) return env;
    return gateValidatorEnv(env, () => this.incarnations[i] === incarnation);
  }

  private addCollators(validatorActors: readonly ActorId[]): void {
    for (const para of this.paras) {
      const spec = para.spec;
      const ids = Array.from({ length: spec.collators }, (_, i) => collatorActor(spec.id, i));
      ids.forEach((id, i) => {
        const env: CollatorEnv = {
          ...this.actorEnv(id, collatorKeypair(this.crypto, spec.id, i)),
          // Collators log under their own target (validators' subsystems name theirs).
          log: new ActorLogger(this.logger, id, "collator"),
          paraId: spec.id,
          erasure: this.caches.erasure,
          collatorIndex: i,
          peers: ids.filter((p) => p !== id),
          validatorActors,
          noteAuthored: (info) => this.noteAuthored(info),
        };
        const collator = createCollator(env, spec, para, this.collatorOptions(para, i, {}));
        this.collatorEnvs.set(collator.id, env);
        this.collatorSpecs.set(collator.id, spec);
        this.collators.push(collator);
        this.actors.set(collator.id, collator);
      });
    }
  }

  /**
   * What every collator of `para` is created with: its malus if the scenario makes collator
   * `index` of the para an adversary, and `extra` (a restart's database).
   */
  private collatorOptions(
    para: ParachainSetup,
    index: number,
    extra: Partial<CollatorOptions>,
  ): CollatorOptions {
    const malus = this.adversaries.collatorMalus(para.spec.id, index);
    return {
      ...(malus === undefined ? {} : { malus }),
      relaySlotDurationMs: this.scenario.relay.slotDurationMs,
      generation: this.scenario.generation,
      upgrades: runtimeUpgradesOf(this.scenario, para.spec, para.genesis.config.accounts),
      onRuntimePanic: (info) => this.panics.push(info),
      ...extra,
    };
  }

  /**
   * The collator node restarts the scenario schedules at relay block `number` (a collator
   * upgrade: `upgrades: [{at, collator}]` or the guide's phase 2): each collator of the para is
   * stopped and replaced by one with the new settings that keeps its database.
   */
  private restartCollators(number: number): void {
    for (const { para, spec } of this.restartsAt.get(number) ?? []) {
      this.collators.forEach((old, i) => {
        if (old.paraId !== para.spec.id) return;
        const env = this.collatorEnvs.get(old.id)!;
        this.collatorSpecs.set(old.id, spec);
        if (this.offlineCollators.has(old.id)) return; // it comes back with the new spec
        const fresh = createCollator(
          env,
          spec,
          para,
          this.collatorOptions(para, env.collatorIndex, { resume: old.stop() }),
        );
        this.collators[i] = fresh;
        this.actors.set(fresh.id, fresh);
      });
    }
  }

  /**
   * The environment shared by every actor kind; `incarnation` names a restarted node's (its own
   * random stream and CPU pools: the stopped node's queued work is not the new node's).
   */
  private actorEnv(id: ActorId, keypair: ActorEnv["keypair"], incarnation?: string): ActorEnv {
    const sched = this.scheduler;
    const poolKeys = new Map<CpuPool, string>();
    return {
      id,
      now: () => sched.now,
      after: (delayUs, fn) => sched.after(Math.max(0, Math.round(delayUs)), fn, id),
      cpu: (pool: CpuPool, costUs, done) => {
        let key = poolKeys.get(pool);
        if (key === undefined) {
          key = incarnation === undefined ? `${id}/${pool}` : `${id}/${incarnation}/${pool}`;
          poolKeys.set(pool, key);
        }
        this.cpu.submit(key, Math.max(0, Math.round(costUs)), done, id);
      },
      send: (to, msg) => this.send(id, to, msg),
      multicast: (to, msg) => this.multicast(id, to, msg),
      relayChain: this.chain,
      rng: this.rng.fork(incarnation === undefined ? `actor/${id}` : `actor/${id}/${incarnation}`),
      crypto: this.crypto,
      keypair,
      verify: (message, signature, publicKey) => this.verify(message, signature, publicKey),
      verifyCostUs: VERIFY_COST_US,
      log: new ActorLogger(this.logger, id, ""),
    };
  }

  /**
   * Whether validator `v` is offline at `atUs`: a `WorldOptions.offline` window, or crashed (a
   * `crash` fault). Offline validators publish and take in no approval gossip and do not vote for
   * finality.
   */
  private isOffline(v: number, atUs: number): boolean {
    if (this.crashes?.validatorDown(v, atUs)) return true;
    const windows = this.options.offline;
    if (windows === undefined) return false;
    return windows.some((w) => atUs >= w.fromUs && atUs < w.toUs && w.validators.includes(v));
  }

  private hasOfflineWindows(v: number): boolean {
    if (this.crashes?.mayCrash(v)) return true;
    return this.options.offline?.some((w) => w.validators.includes(v)) ?? false;
  }

  /** Whether an actor is down at `atUs`: a crashed validator or an offline collator. */
  private actorDown(id: ActorId, atUs: number): boolean {
    const crashes = this.crashes;
    if (crashes === null) return false;
    const v = this.validatorIndexOf.get(id);
    return v !== undefined ? crashes.validatorDown(v, atUs) : crashes.collatorDown(id, atUs);
  }

  /**
   * Whether a direct message between two actors is lost, now: to or from a validator offline
   * (`WorldOptions.offline`: relay blocks still pass) or an actor down (a crash fault: nothing
   * passes).
   */
  private cutOff(from: ActorId, to: ActorId, msg: ProtocolMessage): boolean {
    if (this.crashes !== null) {
      const now = this.scheduler.now;
      if (this.actorDown(from, now) || this.actorDown(to, now)) return true;
    }
    if (this.options.offline === undefined || msg.type === "RelayBlock") return false;
    const now = this.scheduler.now;
    const f = this.validatorIndexOf.get(from);
    const t = this.validatorIndexOf.get(to);
    return (
      (f !== undefined && this.isOffline(f, now)) || (t !== undefined && this.isOffline(t, now))
    );
  }

  /**
   * A message's delivery to `target` (resolved when it was sent): with crash faults it is lost
   * if the target went down meanwhile or is no longer the actor (a restarted node).
   */
  private deliverTo(to: ActorId, target: Actor, from: ActorId, msg: ProtocolMessage): void {
    if (this.crashes !== null) {
      if (this.actors.get(to) !== target || this.actorDown(to, this.scheduler.now)) return;
    }
    target.onMessage(from, msg);
  }

  /**
   * The crash and collator-offline transitions at the start of slot `slot`, before its author
   * is chosen (src/sim/crash-faults.ts).
   */
  private applyCrashFaults(slot: number): void {
    const t = this.crashes!.transitions(slot);
    for (const v of t.crashed) {
      this.incarnations[v]!++;
      this.trace.record(this.scheduler.now, validatorActor(v), "Crash", { slot });
    }
    for (const { validator: v, loseStore } of t.restarted) this.restartValidator(v, loseStore);
    for (const id of t.collatorsOffline) {
      const i = this.collators.findIndex((c) => c.id === id);
      if (i < 0) continue;
      this.offlineCollators.set(id, this.collators[i]!.stop());
      this.trace.record(this.scheduler.now, id, "CollatorOffline", { slot });
    }
    for (const id of t.collatorsBack) {
      const resume = this.offlineCollators.get(id);
      const i = this.collators.findIndex((c) => c.id === id);
      if (resume === undefined || i < 0) continue;
      this.offlineCollators.delete(id);
      const spec = this.collatorSpecs.get(id)!;
      const para = this.paras.find((p) => p.spec.id === spec.id)!;
      const fresh = createCollator(
        this.collatorEnvs.get(id)!,
        spec,
        para,
        this.collatorOptions(para, this.collatorEnvs.get(id)!.collatorIndex, { resume }),
      );
      this.collators[i] = fresh;
      this.actors.set(id, fresh);
      this.trace.record(this.scheduler.now, id, "CollatorBack", { slot });
      // Its relay node is synced: it starts from the best relay block.
      fresh.onMessage(id, { type: "RelayBlock", header: this.chain.tip.header, bodyBytes: 0 });
    }
  }

  /**
   * Validator `v` restarts: a new node (a new incarnation of its env) with the availability
   * store it had on disk unless `loseStore`; it imports the unfinalized relay blocks into
   * approval voting (`determine_new_blocks` walks back to the finalized block) and the best one
   * as its first active leaf.
   */
  private restartValidator(v: number, loseStore: boolean): void {
    const incarnation = ++this.incarnations[v]!;
    const old = this.validators[v]!;
    const validatorActors = this.validators.map((n) => n.id);
    const node = new ValidatorNode(
      this.validatorEnv(
        v,
        validatorKeypair(this.crypto, v),
        validatorActors,
        this.pvf,
        incarnation,
      ),
      this.caches,
      loseStore ? {} : { availabilityStore: old.availabilityStore },
    );
    this.validators[v] = node;
    this.actors.set(node.id, node);
    this.trace.record(this.scheduler.now, node.id, "Restart", { loseStore });
    const tip = this.chain.tip.header;
    for (let n = this.finality.finalized + 1; n <= tip.number; n++) {
      const hash = this.production.record(n)?.header.hash;
      if (hash === undefined) continue;
      // Its peers send it what they know of the blocks in its new view (`unify_with_peer`).
      this.approvalGossip.resendTo(hash, v);
      if (n < tip.number) node.approvalVoting?.importBlock(hash);
    }
    node.onMessage(node.id, { type: "RelayBlock", header: tip, bodyBytes: 0 });
  }

  /**
   * After relay block `number`: approval records, finality, then what no one reads any more is
   * dropped (the paras' old blocks and transactions, the finalized relay blocks' records).
   */
  private afterRelayBlock(number: number): void {
    const record = this.production.record(number)!;
    this.adversaries.observeBlock(record);
    const header = record.header;
    const author = this.validatorIndexOf.get(record.author);
    if (author !== undefined) this.approvals.noteNextAuthor(header.parentHash, author);
    const included: { candidateHash: CandidateHash; paraId: number }[] = [];
    for (const e of record.events) {
      if (e.kind === "CandidateIncluded") {
        included.push({ candidateHash: e.candidateHash, paraId: e.receipt.descriptor.paraId });
      }
    }
    this.approvals.noteIncluded(header.hash, number, header.slot * this.slotUs, included);
    this.finality.onBlock(number);
    this.aggression(number);
    if (this.options.keepHistory) return;
    const events = this.events;
    const heads: { paraId: number; headHash: Hash }[] = [];
    for (let i = events.length - 1; i >= 0 && events[i]!.relayBlock === number; i--) {
      const e = events[i]!;
      if (e.type === "CandidateIncluded") heads.unshift({ paraId: e.paraId, headHash: e.headHash });
    }
    this.pruning.afterBlock(number, heads, this.finality.finalized);
    this.production.forget(this.finality.finalized);
  }

  /**
   * Approval distribution's aggression on a new block (`enable_aggression`, `Resend::Yes`): when
   * the unfinalized chain is `AGGRESSION_L1_THRESHOLD` blocks or longer, the messages of every
   * unfinalized block whose age is a positive multiple of `RESEND_UNFINALIZED_PERIOD` are sent
   * again to all peers. (The L1 and L2 levels widen the grid's routing: every message already
   * goes to every validator here.)
   */
  private aggression(best: number): void {
    const finalized = this.finality.finalized;
    if (best - finalized < AGGRESSION_L1_THRESHOLD) return;
    for (let b = finalized + 1; b < best; b++) {
      const age = best - b;
      if (age % RESEND_UNFINALIZED_PERIOD !== 0) continue;
      const record = this.production.record(b);
      if (record !== undefined) this.approvalGossip.resend(record.header.hash);
    }
  }

  /** Relay block `number` is final: the approval checker, then every validator prunes. */
  private onFinalized(number: number): void {
    const record = this.production.record(number);
    if (record === undefined) return;
    const hash = record.header.hash;
    const included = record.events.flatMap((e) =>
      e.kind === "CandidateIncluded" ? [{ candidateHash: e.candidateHash }] : [],
    );
    if (included.length > 0) {
      this.checker.onFinalized({
        relayBlock: number,
        included,
        items: this.approvalGossip.published(hash),
      });
    }
    for (const v of this.validators) v.approvalVoting?.onFinalized(number);
    this.sharedView?.onFinalized(number);
    this.approvalGossip.prune(number, 0);
  }

  private send(from: ActorId, to: ActorId, msg: ProtocolMessage): void {
    if (this.cutOff(from, to, msg)) return;
    const target = this.actors.get(to);
    assert(target !== undefined, () => `${from} sent ${msg.type} to unknown actor ${to}`);
    const bytes = messageSizeBytes(msg);
    this.noteAvailabilityMessage(msg, bytes);
    this.network.send(from, to, bytes, () => this.deliverTo(to, target, from, msg), msg.type);
  }

  /** Counts a message's bytes in its candidate's availability traffic, if it carries its data. */
  private noteAvailabilityMessage(msg: ProtocolMessage, bytes: number): void {
    if (msg.type === "CollationFetchResponse" && msg.collation !== null) {
      this.noteTraffic(msg.collation.candidateHash, bytes, false);
    } else if (msg.type === "PovFetchResponse" && msg.pov !== null) {
      this.noteTraffic(msg.candidateHash, bytes, false);
    } else if (msg.type === "ChunkFetchResponse") {
      this.noteTraffic(msg.candidateHash, bytes, msg.chunk !== null);
    }
  }

  private noteTraffic(hash: CandidateHash, bytes: number, withChunk: boolean): void {
    const t = getOrInsertComputed(this.traffic, hash, () => ({ chunks: 0, bytes: 0 }));
    t.bytes += bytes;
    if (withChunk) t.chunks++;
  }

  private multicast(from: ActorId, all: readonly ActorId[], msg: ProtocolMessage): void {
    const to =
      this.options.offline === undefined && this.crashes === null
        ? all
        : all.filter((p) => !this.cutOff(from, p, msg));
    const targets = to.map((peer) => {
      const target = this.actors.get(peer);
      assert(target !== undefined, () => `${from} sent ${msg.type} to unknown actor ${peer}`);
      return target;
    });
    this.network.multicast(
      from,
      to,
      messageSizeBytes(msg),
      (peer, i) => this.deliverTo(peer, targets[i]!, from, msg),
      msg.type,
    );
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

  /** The slot relay block `number` was authored in (without empty slots, `number`). */
  slotOf(number: number): number | undefined {
    return this.production.slotOf(number);
  }

  /** Run to the end of the scenario: the last relay slot starts (its block is produced). */
  run(): void {
    this.scheduler.runUntil(this.totalBlocks * this.slotUs);
  }

  get violations(): readonly Violation[] {
    return this.checker.violations;
  }
}
