import { describe, expect, it } from "vitest";
import {
  checkConsistency,
  checkExecutorParamsConsistency,
  FeatureIndex,
  HostConfiguration,
  isNodeFeatureEnabled,
  LEGACY_MIN_BACKING_VOTES,
  MAX_CODE_SIZE,
  nodeFeatures,
  pvfExecTimeoutMs,
} from "../../src/config/host-configuration.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const withChanges = (
  f: (c: Mutable<HostConfiguration>, s: Mutable<HostConfiguration["schedulerParams"]>) => void,
): HostConfiguration => {
  const c = HostConfiguration.default() as Mutable<HostConfiguration>;
  const s = { ...c.schedulerParams } as Mutable<HostConfiguration["schedulerParams"]>;
  f(c, s);
  return { ...c, schedulerParams: s };
};

describe("HostConfiguration.default()", () => {
  it("has the values of configuration.rs's impl Default", () => {
    const c = HostConfiguration.default();
    expect(c.asyncBackingParams).toEqual({ maxCandidateDepth: 0, allowedAncestryLen: 0 });
    expect(c.minimumBackingVotes).toBe(LEGACY_MIN_BACKING_VOTES);
    expect(c.maxCodeSize).toBe(MAX_CODE_SIZE);
    expect(c.maxPovSize).toBe(0);
    expect(c.maxHeadDataSize).toBe(0);
    expect(c.validationUpgradeDelay).toBe(2);
    expect(c.minimumValidationUpgradeDelay).toBe(2);
    expect(c.nDelayTranches).toBe(1);
    expect(c.noShowSlots).toBe(1);
    expect(c.disputePeriod).toBe(6);
    expect(c.disputePostConclusionAcceptancePeriod).toBe(100);
    expect(c.pvfVotingTtl).toBe(2);
    expect(c.approvalVotingParams.maxApprovalCoalesceCount).toBe(1);
    expect(c.nodeFeatures).toEqual([]);
    expect(c.schedulerParams).toMatchObject({
      groupRotationFrequency: 1,
      parasAvailabilityPeriod: 1,
      maxValidatorsPerCore: null,
      lookahead: 1,
      numCores: 0,
      ttl: 5,
      onDemandQueueMaxSize: 10_000,
    });
  });

  it("is consistent", () => {
    expect(checkConsistency(HostConfiguration.default())).toEqual({ ok: true, value: undefined });
  });

  it("returns a fresh object each time", () => {
    expect(HostConfiguration.default()).not.toBe(HostConfiguration.default());
  });
});

describe("checkConsistency (configuration/tests.rs::consistency_bypass_works and friends)", () => {
  const cases: [
    string,
    (c: Mutable<HostConfiguration>, s: Mutable<HostConfiguration["schedulerParams"]>) => void,
    unknown,
  ][] = [
    [
      "ZeroGroupRotationFrequency",
      (_c, s) => (s.groupRotationFrequency = 0),
      { code: "ZeroGroupRotationFrequency" },
    ],
    [
      "ZeroParasAvailabilityPeriod",
      (_c, s) => (s.parasAvailabilityPeriod = 0),
      { code: "ZeroParasAvailabilityPeriod" },
    ],
    ["ZeroNoShowSlots", (c) => (c.noShowSlots = 0), { code: "ZeroNoShowSlots" }],
    [
      "MaxCodeSizeExceedHardLimit",
      (c) => (c.maxCodeSize = MAX_CODE_SIZE + 1),
      { code: "MaxCodeSizeExceedHardLimit", maxCodeSize: MAX_CODE_SIZE + 1 },
    ],
    [
      "MaxHeadDataSizeExceedHardLimit",
      (c) => (c.maxHeadDataSize = 1024 * 1024 + 1),
      { code: "MaxHeadDataSizeExceedHardLimit" },
    ],
    [
      "MaxPovSizeExceedHardLimit",
      (c) => (c.maxPovSize = 16 * 1024 * 1024 + 1),
      { code: "MaxPovSizeExceedHardLimit" },
    ],
    [
      "MinimumValidationUpgradeDelayLessThanChainAvailabilityPeriod",
      (c, s) => {
        c.minimumValidationUpgradeDelay = 5;
        s.parasAvailabilityPeriod = 5;
      },
      {
        code: "MinimumValidationUpgradeDelayLessThanChainAvailabilityPeriod",
        minimumValidationUpgradeDelay: 5,
        parasAvailabilityPeriod: 5,
      },
    ],
    [
      "ValidationUpgradeDelayIsTooLow",
      (c) => (c.validationUpgradeDelay = 1),
      { code: "ValidationUpgradeDelayIsTooLow", validationUpgradeDelay: 1 },
    ],
    [
      "MaxUpwardMessageSizeExceeded",
      (c) => (c.maxUpwardMessageSize = 128 * 1024 + 1),
      { code: "MaxUpwardMessageSizeExceeded" },
    ],
    [
      "MaxHorizontalMessageNumExceeded",
      (c) => (c.hrmpMaxMessageNumPerCandidate = 16 * 1024 + 1),
      { code: "MaxHorizontalMessageNumExceeded" },
    ],
    [
      "MaxUpwardMessageNumExceeded",
      (c) => (c.maxUpwardMessageNumPerCandidate = 16 * 1024 + 1),
      { code: "MaxUpwardMessageNumExceeded" },
    ],
    [
      "MaxHrmpOutboundChannelsExceeded",
      (c) => (c.hrmpMaxParachainOutboundChannels = 129),
      { code: "MaxHrmpOutboundChannelsExceeded" },
    ],
    [
      "MaxHrmpInboundChannelsExceeded",
      (c) => (c.hrmpMaxParachainInboundChannels = 129),
      { code: "MaxHrmpInboundChannelsExceeded" },
    ],
    [
      "ZeroMinimumBackingVotes",
      (c) => (c.minimumBackingVotes = 0),
      { code: "ZeroMinimumBackingVotes" },
    ],
    [
      "InconsistentExecutorParams",
      (c) =>
        (c.executorParams = [{ kind: "PvfExecTimeout", execKind: "Backing", timeoutMs: 20_000 }]),
      {
        code: "InconsistentExecutorParams",
        inner: {
          code: "IncompatibleValues",
          params: ["PvfExecKind::Backing", "PvfExecKind::Approval"],
        },
      },
    ],
    ["LookaheadExceedsTTL", (_c, s) => (s.lookahead = 6), { code: "LookaheadExceedsTTL" }],
    ["LookaheadZero", (_c, s) => (s.lookahead = 0), { code: "LookaheadZero" }],
    [
      "OnDemandQueueSizeTooLarge",
      (_c, s) => (s.onDemandQueueMaxSize = 1_000_000_001),
      { code: "OnDemandQueueSizeTooLarge" },
    ],
    ["ZeroDelayTranches", (c) => (c.nDelayTranches = 0), { code: "ZeroDelayTranches" }],
  ];
  it.each(cases)("%s", (_name, change, expected) => {
    const r = checkConsistency(withChanges(change));
    expect(r.ok).toBe(false);
    expect(r.ok ? null : r.error).toMatchObject(expected as object);
  });

  it("reports the first failing check in polkadot-sdk's order", () => {
    const r = checkConsistency(
      withChanges((c, s) => {
        c.nDelayTranches = 0;
        c.minimumBackingVotes = 0;
        s.groupRotationFrequency = 0;
        c.noShowSlots = 0;
      }),
    );
    expect(r).toEqual({ ok: false, error: { code: "ZeroGroupRotationFrequency" } });
    const r2 = checkConsistency(
      withChanges((c) => {
        c.nDelayTranches = 0;
        c.minimumBackingVotes = 0;
      }),
    );
    expect(r2).toEqual({ ok: false, error: { code: "ZeroMinimumBackingVotes" } });
  });

  it("does not check asyncBackingParams", () => {
    const r = checkConsistency(
      withChanges(
        (c) => (c.asyncBackingParams = { maxCandidateDepth: 1000, allowedAncestryLen: 1000 }),
      ),
    );
    expect(r.ok).toBe(true);
  });
});

describe("ExecutorParams", () => {
  it("check_consistency: duplicates, limits, incompatible pairs", () => {
    expect(checkExecutorParamsConsistency([]).ok).toBe(true);
    expect(
      checkExecutorParamsConsistency([
        { kind: "MaxMemoryPages", value: 10 },
        { kind: "MaxMemoryPages", value: 11 },
      ]),
    ).toEqual({ ok: false, error: { code: "DuplicatedParam", param: "MaxMemoryPages" } });
    expect(checkExecutorParamsConsistency([{ kind: "MaxMemoryPages", value: 0 }])).toEqual({
      ok: false,
      error: { code: "OutsideLimit", param: "MaxMemoryPages" },
    });
    expect(checkExecutorParamsConsistency([{ kind: "StackLogicalMax", value: 1023 }]).ok).toBe(
      false,
    );
    expect(
      checkExecutorParamsConsistency([
        { kind: "PvfPrepTimeout", prepKind: "Precheck", timeoutMs: 360_000 },
      ]),
    ).toEqual({
      ok: false,
      error: {
        code: "IncompatibleValues",
        params: ["PvfPrepKind::Precheck", "PvfPrepKind::Prepare"],
      },
    });
    expect(
      checkExecutorParamsConsistency([
        { kind: "PvfExecTimeout", execKind: "Backing", timeoutMs: 2_500 },
        { kind: "PvfExecTimeout", execKind: "Approval", timeoutMs: 15_000 },
      ]).ok,
    ).toBe(true);
  });

  it("timeouts fall back to the defaults", () => {
    expect(pvfExecTimeoutMs([], "Backing")).toBe(2_000);
    expect(pvfExecTimeoutMs([], "Approval")).toBe(12_000);
    expect(
      pvfExecTimeoutMs(
        [{ kind: "PvfExecTimeout", execKind: "Backing", timeoutMs: 2_500 }],
        "Backing",
      ),
    ).toBe(2_500);
  });
});

describe("node features", () => {
  it("sets the bits of the given feature indices", () => {
    const f = nodeFeatures(FeatureIndex.ElasticScalingMVP, FeatureIndex.CandidateReceiptV2);
    expect(f).toEqual([false, true, false, true]);
    expect(isNodeFeatureEnabled(f, FeatureIndex.ElasticScalingMVP)).toBe(true);
    expect(isNodeFeatureEnabled(f, FeatureIndex.EnableAssignmentsV2)).toBe(false);
    expect(isNodeFeatureEnabled([], FeatureIndex.CandidateReceiptV2)).toBe(false);
  });
});
