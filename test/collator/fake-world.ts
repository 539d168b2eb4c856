/**
 * A fake world for collator tests: a manual event queue in virtual µs, a fake relay chain that
 * authors a block every 6 s with a `RuntimeApi` snapshot (claim queue, groups with rotation,
 * availability cores, PVDs, backing state), collator envs that route messages, and an optional
 * ideal backing pipeline: every advertised collation is fetched at once; at each relay block the
 * candidates pending availability are included and a chain of fetched candidates building on
 * the new head is backed, one per para core, each checked with the para's PVD hash and PVF.
 *
 * With `relay: "runtime"` the relay chain is parapipe's relay runtime instead (`applyBlock` from
 * its genesis, `runtimeApi` over each post-state): every validator signs every occupied core
 * available, and the same ideal backing offers the candidates, signed by their backing group, in
 * the paras inherent. That checks the collators' candidates against the runtime's own rules.
 *
 * It is not the simulator: no validator nodes, no network model; just enough relay chain for a
 * collator to show where, when and on what it builds.
 */

import type {
  ActorLog,
  AuthoredBlockInfo,
  Cancellable,
  CollatorEnv,
  CpuPool,
} from "../../src/actors/env.ts";
import {
  type ActorId,
  type Collation,
  collatorActor,
  type ProtocolMessage,
  validatorActor,
} from "../../src/actors/protocol.ts";
import type { CollatorBase } from "../../src/collator/collator.ts";
import { createCollator, createParachain, type ParachainSetup } from "../../src/collator/index.ts";
import { hostConfigurationFromScenario } from "../../src/config/from-scenario.ts";
import type { Generation } from "../../src/config/generation.ts";
import { PRESETS } from "../../src/config/presets.ts";
import type { ParachainSpec } from "../../src/config/scenario.ts";
import { type Hash, type Hex, repeatByte, toHex } from "../../src/lib/hex.ts";
import { Prng } from "../../src/lib/prng.ts";
import { pvdHash } from "../../src/primitives/candidate.ts";
import type { CoreIndex, ParaId, PersistedValidationData } from "../../src/primitives/codecs.ts";
import { ErasureMemo } from "../../src/primitives/erasure/encoding.ts";
import { groupForCore } from "../../src/primitives/group-rotation.ts";
import { hashBytes, hashHex } from "../../src/primitives/hashing.ts";
import { type BackedCandidate, newBackedCandidate } from "../../src/primitives/inherent.ts";
import { collatorKeypair, validatorKeypairs } from "../../src/primitives/keys.ts";
import type { CoreState, RelayHeader, RuntimeApi } from "../../src/primitives/runtime-api.ts";
import { type Keypair, noneCrypto } from "../../src/primitives/signing.ts";
import { signBitfield, signStatement } from "../../src/primitives/statements.ts";
import { applyBlock } from "../../src/relay/apply-block.ts";
import { genesis } from "../../src/relay/genesis.ts";
import { runtimeApi } from "../../src/relay/runtime-api.ts";
import type { RelayState } from "../../src/relay/state.ts";
import { NO_APPROVAL_CHECKING } from "../node/fake-relay.ts";

export const RELAY_SLOT_MS = 6000;
export const OTHER_PARA: ParaId = 3000;
/** Relay block n is authored in BABE slot `RELAY_SLOT_BASE + n` (real slots are never 0). */
export const RELAY_SLOT_BASE = 100;
const utf8 = new TextEncoder();
export const relayHash = (n: number): Hash => hashBytes(utf8.encode(`fake-relay/${n}`));
export const relayRoot = (n: number): Hash => hashBytes(utf8.encode(`fake-relay-root/${n}`));

/** Events in virtual time (µs); equal times run in scheduling order. */
export class EventQueue {
  now = 0;
  private seq = 0;
  private events: { t: number; seq: number; fn: () => void; cancelled: boolean }[] = [];

  at(t: number, fn: () => void): Cancellable {
    const e = { t: Math.max(t, this.now), seq: this.seq++, fn, cancelled: false };
    this.events.push(e);
    return {
      cancel: () => {
        e.cancelled = true;
      },
    };
  }

  after(delayUs: number, fn: () => void): Cancellable {
    return this.at(this.now + delayUs, fn);
  }

  runUntil(tUs: number): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.events.length; i++) {
        const e = this.events[i]!;
        const b = this.events[best];
        if (b === undefined || e.t < b.t || (e.t === b.t && e.seq < b.seq)) best = i;
      }
      const next = this.events[best];
      if (next === undefined || next.t > tUs) break;
      this.events.splice(best, 1);
      this.now = next.t;
      if (!next.cancelled) next.fn();
    }
    this.now = Math.max(this.now, tUs);
  }
}

export interface FakeWorldConfig {
  readonly spec: ParachainSpec;
  /** Cores assigned to the para (claim queue at every depth); the others serve `OTHER_PARA`. */
  readonly paraCores: readonly CoreIndex[];
  readonly numCores: number;
  /** Claim queue depth (`scheduling_lookahead`). */
  readonly lookahead: number;
  readonly allowedAncestryLen: number;
  /** Validator groups, one per core. */
  readonly groups: readonly (readonly number[])[];
  readonly groupRotationFrequency: number;
  readonly backing: "none" | "pipeline";
  readonly candidateReceiptV2?: boolean;
  readonly maxPovSize?: number;
  /** Delay from a relay block's slot start to its import by collators, ms. */
  readonly relayBlockDelayMs?: number;
  /** One-way latency between collators, ms. */
  readonly peerLatencyMs?: number;
  readonly relayChainSlotDurationMs?: number;
  /** The fake relay (default) or parapipe's relay runtime. */
  readonly relay?: "ideal" | "runtime";
  /** The collators' generation (default: the collator's own default, current). */
  readonly generation?: Generation;
}

export interface Advert {
  readonly atUs: number;
  readonly from: ActorId;
  readonly to: ActorId;
  readonly relayParent: Hash;
  readonly candidateHash: Hash;
}

export interface BackedRecord {
  readonly relayBlock: number;
  readonly core: CoreIndex;
  readonly collation: Collation;
}

export interface RelayBlock {
  readonly header: RelayHeader;
  readonly api: RuntimeApi;
  /** The relay runtime's post-state (runtime mode). */
  readonly state?: RelayState;
}

function recordingLog(sink: { level: string; message: string }[]): ActorLog {
  const rec =
    (level: string) =>
    (message: string): void => {
      sink.push({ level, message });
    };
  return {
    enabled: () => true,
    error: rec("error"),
    warn: rec("warn"),
    info: rec("info"),
    debug: () => {},
    trace: () => {},
  };
}

export class FakeWorld {
  readonly queue = new EventQueue();
  /** The collators' erasure encodings (one memo for the world, as the simulator's). */
  readonly erasure = new ErasureMemo();
  readonly para: ParachainSetup;
  readonly collators: CollatorBase[] = [];
  readonly relayBlocks = new Map<Hash, RelayBlock>();
  /** Relay blocks by number. */
  readonly chain: RelayBlock[] = [];
  /** Every collation ever fetched, by candidate hash. */
  readonly fetched = new Map<Hash, Collation>();
  /** What the relay runtime dropped from the offered inherent (runtime mode). */
  readonly dropped: { relayBlock: number; reason: string }[] = [];
  readonly authored: (AuthoredBlockInfo & { readonly atUs: number })[] = [];
  readonly adverts: Advert[] = [];
  readonly collations = new Map<Hash, Collation>();
  readonly backed: BackedRecord[] = [];
  readonly included: { relayBlock: number; collation: Collation }[] = [];
  readonly invalid: { relayBlock: number; reason: string }[] = [];
  readonly logs: { level: string; message: string }[] = [];
  readonly panics: string[] = [];
  includedHead: Hex;
  private pending: BackedRecord[] = [];
  private readonly paraId: ParaId;
  private readonly keys: Keypair[];

  constructor(readonly config: FakeWorldConfig) {
    this.paraId = config.spec.id;
    this.para = createParachain(config.spec, Prng.fromSeed(1));
    this.includedHead = this.para.genesis.headData;
    this.keys = validatorKeypairs(noneCrypto, config.groups.flat().length);
    if (config.relay === "runtime") this.addBlock(this.runtimeGenesis());
    else this.addRelayBlock(0);
    const ids = Array.from({ length: config.spec.collators }, (_, i) =>
      collatorActor(this.paraId, i),
    );
    ids.forEach((id, index) => {
      const env = this.collatorEnv(
        id,
        index,
        ids.filter((p) => p !== id),
      );
      this.collators.push(
        createCollator(env, config.spec, this.para, {
          ...(config.relayChainSlotDurationMs === undefined
            ? {}
            : { relaySlotDurationMs: config.relayChainSlotDurationMs }),
          ...(config.generation === undefined ? {} : { generation: config.generation }),
          onRuntimePanic: (p) => this.panics.push(p.message),
        }),
      );
    });
  }

  /** Author relay blocks 1..n at n x 6 s and run the world until the last one + 5.99 s. */
  run(relayBlocks: number): void {
    for (let n = 1; n <= relayBlocks; n++) {
      this.queue.at(n * RELAY_SLOT_MS * 1000, () => this.authorRelayBlock(n));
    }
    this.queue.runUntil(((relayBlocks + 1) * RELAY_SLOT_MS - 10) * 1000);
  }

  relayBlock(n: number): RelayBlock {
    return this.chain[n]!;
  }

  /** The relay block number of a relay parent hash. */
  relayNumber(hash: Hash): number {
    return this.relayBlocks.get(hash)!.header.number;
  }

  private addBlock(block: RelayBlock): RelayBlock {
    this.relayBlocks.set(block.header.hash, block);
    this.chain[block.header.number] = block;
    return block;
  }

  private authorRelayBlock(n: number): void {
    const block =
      this.config.relay === "runtime" ? this.authorRuntimeBlock(n) : this.authorIdealBlock(n);
    const delay = (this.config.relayBlockDelayMs ?? 100) * 1000;
    for (const c of this.collators) {
      this.queue.after(delay, () =>
        c.onMessage("relay", { type: "RelayBlock", header: block.header, bodyBytes: 0 }),
      );
    }
  }

  private authorIdealBlock(n: number): RelayBlock {
    // Inclusion: every candidate pending availability becomes available.
    for (const p of this.pending) {
      this.includedHead = p.collation.receipt.commitments.headData;
      this.included.push({ relayBlock: n, collation: p.collation });
    }
    this.pending = [];
    if (this.config.backing === "pipeline") {
      for (const r of this.chainToBack(n, this.includedHead, relayRoot)) {
        this.backed.push(r);
        this.pending.push(r);
      }
    }
    return this.addRelayBlock(n);
  }

  /** Relay genesis with the para (and `OTHER_PARA` on the other cores) registered. */
  private runtimeGenesis(): RelayBlock {
    const cfg = this.config;
    const base = PRESETS.async.relay.hostConfiguration;
    const config = hostConfigurationFromScenario({
      ...base,
      asyncBackingParams: { maxCandidateDepth: 6, allowedAncestryLen: cfg.allowedAncestryLen },
      schedulerParams: {
        ...base.schedulerParams,
        lookahead: cfg.lookahead,
        numCores: cfg.numCores,
        maxValidatorsPerCore: cfg.groups[0]!.length,
        groupRotationFrequency: cfg.groupRotationFrequency,
      },
      nodeFeatures: { ...base.nodeFeatures, candidateReceiptV2: cfg.candidateReceiptV2 ?? true },
    });
    const others = Array.from({ length: cfg.numCores }, (_, c) => c).filter(
      (c) => !cfg.paraCores.includes(c),
    );
    const g = genesis({
      config,
      validatorKeys: this.keys.map((k) => k.publicKey),
      paras: [
        {
          id: this.paraId,
          genesisHead: this.para.genesis.headData,
          validationCode: this.para.genesis.validationCode,
          cores: cfg.paraCores,
        },
        ...(others.length === 0
          ? []
          : [
              {
                id: OTHER_PARA,
                genesisHead: "0x00",
                validationCode: utf8.encode("other"),
                cores: others,
              },
            ]),
      ],
      slot: RELAY_SLOT_BASE,
    });
    return { header: g.header, api: runtimeApi(g.state, g.header), state: g.state };
  }

  /** Block n of the relay runtime: all occupied cores available, the ideal backing offered. */
  private authorRuntimeBlock(n: number): RelayBlock {
    const parent = this.relayBlock(n - 1);
    const context = { sessionIndex: 0, parentHash: parent.header.hash };
    const bits = parent.api.availabilityCores().map((c) => c.kind === "Occupied");
    const bitfields = this.keys.map((k, v) => ({
      validatorIndex: v,
      payload: bits,
      signature: signBitfield(noneCrypto, k.secretKey, bits, context),
    }));
    const head = parent.api.persistedValidationData(this.paraId, "Included")!.parentHead;
    const backedCandidates =
      this.config.backing === "pipeline"
        ? this.chainToBack(n, head, (rp) => this.relayBlock(rp).header.stateRoot).map((r) =>
            this.signBacking(r),
          )
        : [];
    const result = applyBlock(
      parent.state!,
      {
        number: n,
        parentHash: parent.header.hash,
        parentStateRoot: parent.header.stateRoot,
        slot: RELAY_SLOT_BASE + n,
      },
      { bitfields, backedCandidates, disputes: [] },
      { verify: (m, sig, k) => noneCrypto.verify(m, sig, k) },
    );
    for (const e of result.events) {
      if (e.kind !== "CandidateBacked" && e.kind !== "CandidateIncluded") continue;
      const collation = this.fetched.get(e.candidateHash);
      if (collation === undefined) continue;
      if (e.kind === "CandidateBacked")
        this.backed.push({ relayBlock: n, core: e.core, collation });
      if (e.kind === "CandidateIncluded") {
        this.included.push({ relayBlock: n, collation });
        this.includedHead = e.headData;
      }
    }
    for (const d of result.dropped.candidates) {
      this.dropped.push({ relayBlock: n, reason: JSON.stringify(d.reason) });
    }
    return this.addBlock({
      header: result.header,
      api: runtimeApi(result.post, result.header),
      state: result.post,
    });
  }

  /** The backing statements of the group assigned to the candidate's core at rp + 1. */
  private signBacking(r: BackedRecord): BackedCandidate {
    const receipt = r.collation.receipt;
    const rp = this.relayBlocks.get(receipt.descriptor.relayParent)!;
    const { groups, rotationInfo } = rp.api.validatorGroups();
    const group = groups[groupForCore(rotationInfo, r.core, groups.length)]!;
    const context = { sessionIndex: 0, parentHash: rp.header.hash };
    const votes = group.map((v, i) => ({
      kind: i === 0 ? ("Implicit" as const) : ("Explicit" as const),
      signature: signStatement(
        noneCrypto,
        this.keys[v]!.secretKey,
        { kind: i === 0 ? "Seconded" : "Valid", candidateHash: r.collation.candidateHash },
        context,
      ),
    }));
    return newBackedCandidate(
      receipt,
      votes,
      group.map(() => true),
      r.core,
    );
  }

  /**
   * The chain of fetched candidates to back in block n on `head`, one per para core (each
   * checked: PVD hash, then the PVF), removed from the fetched-and-waiting set.
   */
  private chainToBack(n: number, head: Hex, rootOf: (relayNumber: number) => Hash): BackedRecord[] {
    const out: BackedRecord[] = [];
    const used = new Set<CoreIndex>();
    for (;;) {
      const next = [...this.collations.values()].find((c) => {
        const rpNumber = this.relayNumber(c.receipt.descriptor.relayParent);
        return (
          hashHex(c.parentHeadData) === hashHex(head) &&
          rpNumber <= n - 1 &&
          rpNumber >= n - 1 - this.config.allowedAncestryLen &&
          this.config.paraCores.includes(this.coreOf(c)) &&
          !used.has(this.coreOf(c))
        );
      });
      if (next === undefined) return out;
      const d = next.receipt.descriptor;
      const rpNumber = this.relayNumber(d.relayParent);
      const pvd: PersistedValidationData = {
        parentHead: next.parentHeadData,
        relayParentNumber: rpNumber,
        relayParentStorageRoot: rootOf(rpNumber),
        maxPovSize: this.config.maxPovSize ?? 10 * 1024 * 1024,
      };
      this.collations.delete(next.candidateHash);
      if (pvdHash(pvd) !== d.persistedValidationDataHash) {
        this.invalid.push({ relayBlock: n, reason: "PVD hash mismatch" });
        continue;
      }
      const outcome = this.para.pvf(pvd, next.pov);
      if (outcome.kind === "Invalid") {
        this.invalid.push({ relayBlock: n, reason: outcome.reason });
        continue;
      }
      used.add(this.coreOf(next));
      out.push({ relayBlock: n, core: this.coreOf(next), collation: next });
      head = next.receipt.commitments.headData;
    }
  }

  private coreOf(c: Collation): CoreIndex {
    const d = c.receipt.descriptor;
    return d.kind === "v2" ? d.coreIndex : this.config.paraCores[0]!;
  }

  private addRelayBlock(n: number): RelayBlock {
    const header: RelayHeader = {
      hash: relayHash(n),
      number: n,
      parentHash: n === 0 ? repeatByte(0) : relayHash(n - 1),
      stateRoot: relayRoot(n),
      slot: RELAY_SLOT_BASE + n,
    };
    return this.addBlock({ header, api: this.api(header) });
  }

  private api(header: RelayHeader): RuntimeApi {
    const cfg = this.config;
    const n = header.number;
    const included = this.includedHead;
    const pending = [...this.pending];
    const afterPending = pending.at(-1)?.collation.receipt.commitments.headData ?? included;
    const maxPovSize = cfg.maxPovSize ?? 10 * 1024 * 1024;
    const paraId = this.paraId;
    const codeHash = this.para.genesis.validationCodeHash;
    const isPara = (core: number) => cfg.paraCores.includes(core);
    const constraints = {
      minRelayParentNumber: Math.max(n - cfg.allowedAncestryLen, 0),
      maxPovSize,
      maxCodeSize: 3 * 1024 * 1024,
      maxHeadDataSize: 32 * 1024,
      umpRemaining: 1000,
      umpRemainingBytes: 1024 * 1024,
      maxUmpNumPerCandidate: 16,
      dmpRemainingMessages: [],
      hrmpInbound: { validWatermarks: [] },
      hrmpChannelsOut: new Map(),
      maxHrmpNumPerCandidate: 0,
      requiredParent: included,
      validationCodeHash: codeHash,
      upgradeRestriction: null,
      futureValidationCode: null,
    };
    return {
      header,
      sessionIndexForChild: () => 0,
      validators: () =>
        Array.from({ length: cfg.groups.flat().length }, (_, i) => repeatByte(i + 1)),
      validatorGroups: () => ({
        groups: cfg.groups,
        rotationInfo: {
          sessionStartBlock: 0,
          groupRotationFrequency: cfg.groupRotationFrequency,
          now: n + 1,
        },
      }),
      availabilityCores: () =>
        Array.from({ length: cfg.numCores }, (_, core): CoreState => {
          const occupant = pending.find((p) => p.core === core);
          if (occupant !== undefined) {
            return {
              kind: "Occupied",
              nextUpOnAvailable: paraId,
              occupiedSince: occupant.relayBlock,
              timeOutAt: occupant.relayBlock + 10,
              nextUpOnTimeOut: paraId,
              availability: [],
              groupResponsible: 0,
              candidateHash: occupant.collation.candidateHash,
              candidateDescriptor: occupant.collation.receipt.descriptor,
            };
          }
          return { kind: "Scheduled", paraId: isPara(core) ? paraId : OTHER_PARA };
        }),
      claimQueue: () =>
        new Map(
          Array.from({ length: cfg.numCores }, (_, core) => [
            core,
            new Array<ParaId>(cfg.lookahead).fill(isPara(core) ? paraId : OTHER_PARA),
          ]),
        ),
      paraBackingState: (p) => (p === paraId ? { constraints, pendingAvailability: [] } : null),
      persistedValidationData: (p, assumption) =>
        p !== paraId
          ? null
          : {
              parentHead: assumption === "Included" ? afterPending : included,
              relayParentNumber: n,
              relayParentStorageRoot: header.stateRoot,
              maxPovSize,
            },
      validationCodeHash: (p) => (p === paraId ? codeHash : null),
      validationCodeByHash: () => null,
      upgradeGoAheadSignal: () => null,
      candidatesPendingAvailability: () => [],
      asyncBackingParams: () => ({
        maxCandidateDepth: 3,
        allowedAncestryLen: cfg.allowedAncestryLen,
      }),
      minimumBackingVotes: () => 2,
      nodeFeatures: () => ({
        enableAssignmentsV2: false,
        elasticScalingMvp: true,
        availabilityChunkMapping: false,
        candidateReceiptV2: cfg.candidateReceiptV2 ?? true,
      }),
      schedulingLookahead: () => cfg.lookahead,
      executorTimeouts: () => ({ backingMs: 2000, approvalMs: 12000 }),
      candidateEvents: () => [],
      approvalParams: () => NO_APPROVAL_CHECKING,
    };
  }

  private collatorEnv(id: ActorId, index: number, peers: readonly ActorId[]): CollatorEnv {
    const busyUntil: Record<CpuPool, number> = {
      main: 0,
      pvf: 0,
      "pvf-approval": 0,
      "bitfield-distribution": 0,
    };
    const crypto = noneCrypto;
    return {
      id,
      paraId: this.paraId,
      erasure: this.erasure,
      collatorIndex: index,
      peers,
      validatorActors: Array.from({ length: this.config.groups.flat().length }, (_, i) =>
        validatorActor(i),
      ),
      now: () => this.queue.now,
      after: (delayUs, fn) => this.queue.after(delayUs, fn),
      cpu: (pool, costUs, done) => {
        busyUntil[pool] = Math.max(this.queue.now, busyUntil[pool]) + costUs;
        this.queue.at(busyUntil[pool], done);
      },
      send: (to, msg) => this.route(id, to, msg),
      relayChain: {
        header: (h) => this.relayBlocks.get(h)?.header ?? null,
        api: (h) => this.relayBlocks.get(h)?.api ?? null,
      },
      rng: Prng.fromSeed(id),
      crypto,
      keypair: collatorKeypair(crypto, this.paraId, index),
      verify: (m, s, k) => crypto.verify(m, s, k),
      verifyCostUs: 0,
      log: recordingLog(this.logs),
      noteAuthored: (info) => this.authored.push({ ...info, atUs: this.queue.now }),
    };
  }

  private route(from: ActorId, to: ActorId, msg: ProtocolMessage): void {
    const collator = this.collators.find((c) => c.id === to);
    if (collator !== undefined) {
      const latency = (this.config.peerLatencyMs ?? 50) * 1000;
      this.queue.after(latency, () => collator.onMessage(from, msg));
      return;
    }
    // A validator: fetch every advertised collation once, and keep the response.
    if (msg.type === "AdvertiseCollation") {
      this.adverts.push({
        atUs: this.queue.now,
        from,
        to,
        relayParent: msg.relayParent,
        candidateHash: msg.candidateHash,
      });
      if (this.adverts.filter((a) => a.candidateHash === msg.candidateHash).length === 1) {
        const c = this.collators.find((x) => x.id === from)!;
        c.onMessage(to, {
          type: "CollationFetchRequest",
          relayParent: msg.relayParent,
          paraId: msg.paraId,
          candidateHash: msg.candidateHash,
        });
      }
    } else if (msg.type === "CollationFetchResponse" && msg.collation !== null) {
      this.collations.set(msg.candidateHash, msg.collation);
      this.fetched.set(msg.candidateHash, msg.collation);
    }
  }
}

export { toHex };
