import { describe, expect, it } from "vitest";
import {
  consistentHostConfigurationFromScenario,
  hostConfigurationFromScenario,
} from "../../src/config/from-scenario.ts";
import {
  checkConsistency,
  FeatureIndex,
  isNodeFeatureEnabled,
} from "../../src/config/host-configuration.ts";
import { PRESET_NAMES, PRESETS } from "../../src/config/presets.ts";
import { InvariantError } from "../../src/lib/assert.ts";
import { toHex, ZERO_HASH } from "../../src/lib/hex.ts";
import { candidateHash } from "../../src/primitives/candidate.ts";
import { validatorKeypairs } from "../../src/primitives/keys.ts";
import { ed25519Crypto } from "../../src/primitives/signing.ts";
import { genesis } from "../../src/relay/genesis.ts";
import { validationCodeHash } from "../../src/relay/paras.ts";
import { runtimeApi } from "../../src/relay/runtime-api.ts";
import { fillClaimQueue } from "../../src/relay/scheduler.ts";
import { back, buildCandidate, genesisHead, scenarioConfig, TestChain } from "./chain.ts";
import { bulk, DUMMY_CODE, MockAssigner } from "./helpers.ts";

const P = 2000;

describe("genesis", () => {
  it("sets up session 0 without shuffling, registers the paras, assigns cores and fills the claim queue", () => {
    const config = scenarioConfig({ numCores: 3, maxValidatorsPerCore: 4, lookahead: 3 });
    const keys = validatorKeypairs(ed25519Crypto, 10).map((k) => k.publicKey);
    const { state, header } = genesis({
      config,
      validatorKeys: keys,
      paras: [
        { id: P, genesisHead: genesisHead(P), validationCode: DUMMY_CODE, cores: [0, 2] },
        { id: P + 1, genesisHead: genesisHead(P + 1), validationCode: DUMMY_CODE, cores: [1] },
      ],
    });
    expect(state.now).toBe(0);
    expect(state.shared.currentSessionIndex).toBe(0);
    expect(state.shared.activeValidatorKeys).toEqual(keys.map(toHex));
    // max(3 cores, 10 / 4) = 3 groups: 4, 3, 3 members, validators in index order.
    expect(state.scheduler.validatorGroups).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(state.scheduler.sessionStartBlock).toBe(1);
    expect(state.paras.heads.get(P + 1)).toBe(genesisHead(P + 1));
    expect(state.paras.currentCodeHash.get(P)).toBe(validationCodeHash(DUMMY_CODE));
    const api = runtimeApi(state, header);
    expect(api.claimQueue()).toEqual(
      new Map([
        [0, [P, P, P]],
        [1, [P + 1, P + 1, P + 1]],
        [2, [P, P, P]],
      ]),
    );
    expect(header).toMatchObject({ number: 0, parentHash: ZERO_HASH, slot: 0 });
    expect(header.stateRoot).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("refuses a core outside numCores, a core given twice, an inconsistent configuration", () => {
    const config = scenarioConfig({ numCores: 1 });
    const para = (cores: number[], id = P) => ({
      id,
      genesisHead: genesisHead(id),
      validationCode: DUMMY_CODE,
      cores,
    });
    expect(() => genesis({ config, validatorKeys: [], paras: [para([1])] })).toThrow(
      InvariantError,
    );
    expect(() =>
      genesis({ config, validatorKeys: [], paras: [para([0]), para([0], P + 1)] }),
    ).toThrow(/assigned to both/);
    const bad = { ...config, minimumBackingVotes: 0 };
    expect(() => genesis({ config: bad, validatorKeys: [], paras: [] })).toThrow(
      /ZeroMinimumBackingVotes/,
    );
  });
});

describe("runtimeApi", () => {
  function chainWithPending() {
    const config = scenarioConfig({ numCores: 1, maxValidatorsPerCore: 3, lookahead: 3 });
    const chain = new TestChain(config, 6, [{ id: P, cores: [0] }], ed25519Crypto);
    const a = buildCandidate(P, { n: 1, core: 0 }, chain);
    chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
    return { chain, a };
  }

  it("persisted validation data: Included force-enacts, TimedOut reads the included head, Free needs a free core", () => {
    const { chain, a } = chainWithPending();
    const { api, header, state } = chain.tip;
    const before = structuredClone(state);
    expect(api.persistedValidationData(P, "Included")).toEqual({
      parentHead: a.receipt.commitments.headData,
      relayParentNumber: 1,
      relayParentStorageRoot: header.stateRoot,
      maxPovSize: 10485760,
    });
    expect(api.persistedValidationData(P, "TimedOut")).toEqual({
      parentHead: genesisHead(P),
      relayParentNumber: 1,
      relayParentStorageRoot: header.stateRoot,
      maxPovSize: 10485760,
    });
    expect(api.persistedValidationData(P, "Free")).toBeNull();
    expect(api.persistedValidationData(P + 7, "TimedOut")).toBeNull();
    expect(api.validationCodeHash(P, "Included")).toBe(validationCodeHash(DUMMY_CODE));
    expect(api.validationCodeHash(P, "Free")).toBeNull();
    expect(state).toEqual(before); // force_enact ran on a copy
    // Genesis: nothing pending, so Free answers.
    expect(chain.at(0).api.persistedValidationData(P, "Free")?.parentHead).toBe(genesisHead(P));
    expect(candidateHash(api.candidatesPendingAvailability(P)[0]!)).toBe(candidateHash(a.receipt));
  });

  it("answers for the child: rotation info at now + 1, session, validators, parameters", () => {
    const { chain } = chainWithPending();
    const api = chain.tip.api;
    expect(api.validatorGroups()).toEqual({
      groups: [
        [0, 1, 2],
        [3, 4, 5],
      ],
      rotationInfo: { sessionStartBlock: 1, groupRotationFrequency: 10, now: 2 },
    });
    expect(api.sessionIndexForChild()).toBe(0);
    expect(api.validators()).toEqual(chain.keys.map((k) => toHex(k.publicKey)));
    expect(api.asyncBackingParams()).toEqual({ maxCandidateDepth: 3, allowedAncestryLen: 2 });
    expect(api.minimumBackingVotes()).toBe(2);
    expect(api.schedulingLookahead()).toBe(3);
    expect(api.executorTimeouts()).toEqual({ backingMs: 2500, approvalMs: 15000 });
    expect(api.nodeFeatures()).toEqual({
      enableAssignmentsV2: false,
      elasticScalingMvp: true,
      availabilityChunkMapping: false,
      candidateReceiptV2: true,
    });
    expect(runtimeApi(chain.tip.state, chain.tip.header)).toBe(api);
    expect(api.paraBackingState(P)).toBe(api.paraBackingState(P));
    expect(api.paraBackingState(P + 7)).toBeNull();
    expect(api.paraBackingState(P)!.constraints).toMatchObject({
      maxHeadDataSize: 32 * 1024,
      umpRemaining: 8,
      umpRemainingBytes: 1024 * 1024,
      maxUmpNumPerCandidate: 5,
      dmpRemainingMessages: [],
      hrmpInbound: { validWatermarks: [] },
      maxHrmpNumPerCandidate: 5,
      validationCodeHash: validationCodeHash(DUMMY_CODE),
      upgradeRestriction: null,
      futureValidationCode: null,
    });
  });

  it("claim queue: the first `lookahead` claims per core; an empty queue gets its first claim twice", () => {
    const config = scenarioConfig({ numCores: 1, lookahead: 3 });
    const { state, header } = genesis({
      config,
      validatorKeys: [],
      paras: [{ id: P, genesisHead: genesisHead(P), validationCode: DUMMY_CODE, cores: [0] }],
    });
    const assigner = new MockAssigner();
    for (const para of [1, 2, 3, 4]) assigner.add(bulk(para));
    state.scheduler.claimQueue.clear();
    fillClaimQueue(state.scheduler, assigner, 0, 3);
    expect(runtimeApi(state, header).claimQueue()).toEqual(new Map([[0, [1, 1, 2]]]));
    // A queue longer than the lookahead is cut to it.
    const longer = structuredClone(state);
    longer.scheduler.claimQueue.get(0)!.push(bulk(3));
    expect(runtimeApi(longer, header).claimQueue()).toEqual(new Map([[0, [1, 1, 2]]]));
    // Lookahead 1: no doubling.
    const one = structuredClone(state);
    one.scheduler.claimQueue.clear();
    fillClaimQueue(one.scheduler, assigner, 0, 1);
    expect(one.scheduler.claimQueue.get(0)).toEqual([bulk(3)]);
  });
});

describe("hostConfigurationFromScenario", () => {
  it("every preset gives a consistent configuration with its values", () => {
    for (const name of PRESET_NAMES) {
      const s = PRESETS[name].relay.hostConfiguration;
      const c = hostConfigurationFromScenario(s);
      expect(checkConsistency(c)).toEqual({ ok: true, value: undefined });
      expect(c.asyncBackingParams).toEqual(s.asyncBackingParams);
      expect(c.schedulerParams).toMatchObject(s.schedulerParams);
      expect(c.maxPovSize).toBe(s.maxPovSize);
      expect(c.executorParams).toEqual([
        { kind: "PvfExecTimeout", execKind: "Backing", timeoutMs: 2500 },
        { kind: "PvfExecTimeout", execKind: "Approval", timeoutMs: 15000 },
      ]);
      expect(isNodeFeatureEnabled(c.nodeFeatures, FeatureIndex.ElasticScalingMVP)).toBe(true);
      expect(isNodeFeatureEnabled(c.nodeFeatures, FeatureIndex.CandidateReceiptV2)).toBe(true);
      expect(isNodeFeatureEnabled(c.nodeFeatures, FeatureIndex.EnableAssignmentsV2)).toBe(false);
      expect(c.nodeFeatures).toEqual([false, true, false, true]);
      // SCENARIO.md's preset values: delay 2, minimum delay 12, cooldown 20 (relay blocks).
      expect([
        c.validationUpgradeDelay,
        c.minimumValidationUpgradeDelay,
        c.validationUpgradeCooldown,
      ]).toEqual([2, 12, 20]);
    }
  });

  it("refuses an inconsistent scenario with the Rust variant's name", () => {
    const base = PRESETS.async.relay.hostConfiguration;
    // A minimum upgrade delay not above the availability period (10).
    expect(
      consistentHostConfigurationFromScenario({ ...base, minimumValidationUpgradeDelay: 10 }),
    ).toEqual({
      ok: false,
      error: {
        code: "MinimumValidationUpgradeDelayLessThanChainAvailabilityPeriod",
        minimumValidationUpgradeDelay: 10,
        parasAvailabilityPeriod: 10,
      },
    });
    const tooDeep = { ...base, schedulerParams: { ...base.schedulerParams, lookahead: 6 } };
    expect(consistentHostConfigurationFromScenario(tooDeep)).toEqual({
      ok: false,
      error: { code: "LookaheadExceedsTTL" },
    });
    const slowBacking = {
      ...base,
      executorParams: { pvfExecTimeoutBackingMs: 20000, pvfExecTimeoutApprovalMs: 15000 },
    };
    expect(consistentHostConfigurationFromScenario(slowBacking)).toMatchObject({
      ok: false,
      error: { code: "InconsistentExecutorParams" },
    });
    expect(consistentHostConfigurationFromScenario(base).ok).toBe(true);
  });
});
