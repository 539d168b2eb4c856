/**
 * A hand-built relay chain for tests, without the simulator: genesis from a scenario's host
 * configuration, blocks applied with `applyBlock`, candidates and bitfields built and signed by
 * hand with the validators' real keys (`validatorKeypairs`, sr25519 by default), PVDs taken from
 * the runtime API.
 */
import { hostConfigurationFromScenario } from "../../src/config/from-scenario.ts";
import type { HostConfiguration } from "../../src/config/host-configuration.ts";
import { PRESETS } from "../../src/config/presets.ts";
import type { ScenarioHostConfiguration } from "../../src/config/scenario.ts";
import { type Hash, type Hex, repeatByte, toHex } from "../../src/lib/hex.ts";
import { candidateHash, pvdHash } from "../../src/primitives/candidate.ts";
import type {
  CommittedCandidateReceipt,
  CoreIndex,
  HeadData,
  ParaId,
  PersistedValidationData,
} from "../../src/primitives/codecs.ts";
import { groupForCore } from "../../src/primitives/group-rotation.ts";
import { hashHex } from "../../src/primitives/hashing.ts";
import {
  type BackedCandidate,
  newBackedCandidate,
  type ParachainsInherentData,
  type SignedAvailabilityBitfield,
} from "../../src/primitives/inherent.ts";
import { validatorKeypairs } from "../../src/primitives/keys.ts";
import type { RelayHeader, RuntimeApi } from "../../src/primitives/runtime-api.ts";
import { type Crypto, type Keypair, sr25519Crypto } from "../../src/primitives/signing.ts";
import { signBitfield, signStatement } from "../../src/primitives/statements.ts";
import { encodeUmpSignal, UMP_SEPARATOR } from "../../src/primitives/ump.ts";
import { type ApplyBlockResult, applyBlock } from "../../src/relay/apply-block.ts";
import type { PlantedBug } from "../../src/relay/buggify.ts";
import { genesis } from "../../src/relay/genesis.ts";
import { runtimeApi } from "../../src/relay/runtime-api.ts";
import type { SessionChange } from "../../src/relay/session-change.ts";
import type { RelayState } from "../../src/relay/state.ts";
import { DUMMY_CODE } from "./helpers.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The `async` preset's relay configuration with scheduler / backing overrides. */
export function scenarioConfig(
  scheduler: Partial<ScenarioHostConfiguration["schedulerParams"]> = {},
  rest: Partial<Mutable<ScenarioHostConfiguration>> = {},
): HostConfiguration {
  const base = PRESETS.async.relay.hostConfiguration;
  return hostConfigurationFromScenario({
    ...base,
    ...rest,
    schedulerParams: { ...base.schedulerParams, ...scheduler },
  });
}

export const genesisHead = (para: ParaId): Hex => toHex(new Uint8Array([para & 0xff, 0]));

export interface Block {
  readonly state: RelayState;
  readonly header: RelayHeader;
  readonly api: RuntimeApi;
  readonly result: ApplyBlockResult | null;
}

export const EMPTY_INHERENT: ParachainsInherentData = {
  bitfields: [],
  backedCandidates: [],
  disputes: [],
};

export class TestChain {
  readonly blocks: Block[] = [];
  readonly keys: Keypair[];
  /** A planted bug handed to `applyBlock` (src/relay/buggify.ts); none: off. */
  buggify: PlantedBug | undefined = undefined;

  constructor(
    readonly config: HostConfiguration,
    nValidators: number,
    paras: readonly { id: ParaId; cores: CoreIndex[] }[],
    readonly crypto: Crypto = sr25519Crypto,
  ) {
    this.keys = validatorKeypairs(crypto, nValidators);
    const g = genesis({
      config,
      validatorKeys: this.keys.map((k) => k.publicKey),
      paras: paras.map((p) => ({
        id: p.id,
        genesisHead: genesisHead(p.id),
        validationCode: DUMMY_CODE,
        cores: p.cores,
      })),
    });
    this.blocks.push({
      state: g.state,
      header: g.header,
      api: runtimeApi(g.state, g.header),
      result: null,
    });
  }

  get tip(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  at(n: number): Block {
    return this.blocks[n]!;
  }

  /** Apply a block on the tip with the given inherent (and a session change at its end). */
  build(
    inherent: Partial<ParachainsInherentData> = {},
    newSession?: SessionChange,
  ): ApplyBlockResult {
    const parent = this.tip;
    const result = applyBlock(
      parent.state,
      {
        number: parent.header.number + 1,
        parentHash: parent.header.hash,
        parentStateRoot: parent.header.stateRoot,
        slot: parent.header.slot + 1,
        ...(newSession === undefined ? {} : { newSession }),
      },
      { ...EMPTY_INHERENT, ...inherent },
      {
        verify: (m, s, k) => this.crypto.verify(m, s, k),
        ...(this.buggify === undefined ? {} : { buggify: this.buggify }),
      },
    );
    this.blocks.push({
      state: result.post,
      header: result.header,
      api: runtimeApi(result.post, result.header),
      result,
    });
    return result;
  }

  /** Signed bitfields of `validators`, each setting the bits of `cores`, for the next block. */
  bitfields(
    validators: readonly number[],
    cores: readonly CoreIndex[],
  ): SignedAvailabilityBitfield[] {
    const n = this.tip.api.availabilityCores().length;
    const payload = Array.from({ length: n }, (_, c) => cores.includes(c));
    const context = {
      sessionIndex: this.tip.api.sessionIndexForChild(),
      parentHash: this.tip.header.hash,
    };
    return validators.map((v) => ({
      validatorIndex: v,
      payload,
      signature: signBitfield(this.crypto, this.keys[v]!.secretKey, payload, context),
    }));
  }
}

export interface CandidateOptions {
  /** The relay parent (default: the tip). */
  readonly relayParent?: Block;
  /** The parent head (default: the runtime API's PVD with `Included`). */
  readonly parentHead?: HeadData;
  /** A distinguishing byte of the new head. */
  readonly n: number;
  /** The descriptor's core index. */
  readonly core: CoreIndex;
  /** A `SelectCore` signal `(selector, offset)`, if any. */
  readonly selectCore?: readonly [number, number];
  /** Replace the PVD hash (to make it wrong). */
  readonly pvdHashOverride?: Hash;
  /** User upward messages (before any signal). */
  readonly upward?: readonly Uint8Array[];
}

/** A V2 committed receipt whose PVD, head and code hashes are what the runtime expects. */
export function buildCandidate(
  para: ParaId,
  opts: CandidateOptions,
  chain: TestChain,
): { receipt: CommittedCandidateReceipt; pvd: PersistedValidationData } {
  const rp = opts.relayParent ?? chain.tip;
  const apiPvd = rp.api.persistedValidationData(para, "Included")!;
  const pvd = { ...apiPvd, parentHead: opts.parentHead ?? apiPvd.parentHead };
  const headData = toHex(new Uint8Array([para & 0xff, opts.n]));
  const upwardMessages =
    opts.selectCore === undefined
      ? [...(opts.upward ?? [])]
      : [
          ...(opts.upward ?? []),
          UMP_SEPARATOR,
          encodeUmpSignal({
            kind: "SelectCore",
            coreSelector: opts.selectCore[0],
            claimQueueOffset: opts.selectCore[1],
          }),
        ];
  const receipt: CommittedCandidateReceipt = {
    descriptor: {
      kind: "v2",
      paraId: para,
      relayParent: rp.header.hash,
      version: 0,
      coreIndex: opts.core,
      sessionIndex: rp.api.sessionIndexForChild(),
      persistedValidationDataHash: opts.pvdHashOverride ?? pvdHash(pvd),
      povHash: repeatByte(opts.n),
      erasureRoot: repeatByte(opts.n),
      paraHead: hashHex(headData),
      validationCodeHash: rp.api.validationCodeHash(para, "Included")!,
    },
    commitments: {
      upwardMessages,
      horizontalMessages: [],
      newValidationCode: null,
      headData,
      processedDownwardMessages: 0,
      hrmpWatermark: rp.header.number,
    },
  };
  return { receipt, pvd };
}

/**
 * Back a receipt with the first `votes` members of the group assigned to `core` at
 * `relay_parent_number + 1` (the first one `Seconded`, the others `Valid`), injecting the core
 * index (the `ElasticScalingMVP` way).
 */
export function back(
  receipt: CommittedCandidateReceipt,
  core: CoreIndex,
  chain: TestChain,
  votes?: number,
): BackedCandidate {
  const rp = chain.blocks.find((b) => b.header.hash === receipt.descriptor.relayParent)!;
  const { groups, rotationInfo } = rp.api.validatorGroups();
  const group = groups[groupForCore(rotationInfo, core, groups.length)]!;
  const signing = votes ?? group.length;
  const hash = candidateHash(receipt);
  const context = { sessionIndex: rp.api.sessionIndexForChild(), parentHash: rp.header.hash };
  const attestations = group.slice(0, signing).map((v, i) => {
    const kind = i === 0 ? ("Seconded" as const) : ("Valid" as const);
    const signature = signStatement(
      chain.crypto,
      chain.keys[v]!.secretKey,
      { kind, candidateHash: hash },
      context,
    );
    return { kind: i === 0 ? ("Implicit" as const) : ("Explicit" as const), signature };
  });
  const bits = group.map((_, i) => i < signing);
  return newBackedCandidate(receipt, attestations, bits, core);
}
