/**
 * The safety checkers stand alone (issue 22): `src/sim/checkers.ts` imports no rule of
 * `src/primitives`, `src/relay` or `src/node` (only encodings), and a doctored block record makes
 * it fire while the run's own threshold, group and rotation functions are not consulted: they are
 * wrapped here to throw while the checker replays the records, so a checker that used one would
 * fail these tests instead of agreeing with it.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it, vi } from "vitest";

const guard = vi.hoisted(() => {
  const state = { on: false, consulted: [] as string[] };
  const wrap = (name: string, actual: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(actual).map(([k, v]) => {
        if (typeof v !== "function" || /^class\b/.test(Function.prototype.toString.call(v))) {
          return [k, v];
        }
        const f = v as (...a: unknown[]) => unknown;
        return [
          k,
          function (this: unknown, ...a: unknown[]) {
            if (state.on) {
              state.consulted.push(`${name}.${k}`);
              throw new Error(`the checker consulted ${name}.${k}`);
            }
            return f.apply(this, a);
          },
        ];
      }),
    );
  return { state, wrap };
});

vi.mock("../../src/primitives/thresholds.ts", async (orig) =>
  guard.wrap("thresholds", await orig()),
);
vi.mock("../../src/primitives/group-rotation.ts", async (orig) =>
  guard.wrap("group-rotation", await orig()),
);
vi.mock("../../src/relay/scheduler.ts", async (orig) => guard.wrap("scheduler", await orig()));
vi.mock("../../src/relay/shared.ts", async (orig) => guard.wrap("shared", await orig()));
vi.mock("../../src/relay/inclusion.ts", async (orig) => guard.wrap("inclusion", await orig()));

import type { HostConfiguration } from "../../src/config/host-configuration.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import { pureCrypto } from "../../src/primitives/signing.ts";
import { computeValidatorGroups } from "../../src/relay/scheduler.ts";
import type { RelayEvent } from "../../src/relay/state.ts";
import {
  type BlockObservation,
  checkerSupermajority,
  checkerValidatorGroups,
  type NewSession,
  SafetyChecker,
  type Violation,
} from "../../src/sim/checkers.ts";
import type { RelayBlockRecord } from "../../src/sim/records.ts";
import type { World } from "../../src/sim/world.ts";
import { run } from "./helpers.ts";

type BackedEvent = Extract<RelayEvent, { kind: "CandidateBacked" }>;
type IncludedEvent = Extract<RelayEvent, { kind: "CandidateIncluded" }>;
const backedEvents = (b: RelayBlockRecord) =>
  b.events.filter((e): e is BackedEvent => e.kind === "CandidateBacked");
const includedEvents = (b: RelayBlockRecord) =>
  b.events.filter((e): e is IncludedEvent => e.kind === "CandidateIncluded");

describe("checkers.ts imports no rule", () => {
  const source = readFileSync(new URL("../../src/sim/checkers.ts", import.meta.url), "utf8");
  const imports = [
    ...source.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)";/gms),
  ].map((m) => ({
    typeOnly: m[1] !== undefined,
    names: m[2]!
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== ""),
    from: m[3]!,
  }));

  it("finds every import line", () => {
    const lines = source.split("\n").filter((l) => /^import\b/.test(l)).length;
    expect(imports.length).toBe(lines);
    expect(imports.length).toBeGreaterThan(5);
  });

  it("imports nothing of src/relay or src/node, and of src/primitives only encodings", () => {
    // Encodings: what validators sign and how hashes are made, not rules.
    const encodings = new Set([
      "candidateHash",
      "hashHex",
      "approvalVoteMultipleCandidatesSigningPayload",
      "attestationSignedPayload",
      "bitfieldSigningPayload",
    ]);
    for (const i of imports) {
      expect(i.from).not.toMatch(/\/(relay|node|emulator|collator)\//);
      expect(i.from).not.toMatch(/thresholds|group-rotation|claim-queue|core-selection/);
      const values = i.typeOnly ? [] : i.names.filter((n) => !n.startsWith("type "));
      // Values only from lib/ (assertions, memo) or the encodings; types from anywhere allowed.
      if (i.from.startsWith("../lib/")) continue;
      for (const n of values) expect(encodings, `${n} from ${i.from}`).toContain(n);
    }
  });
});

describe("the checker's own statement of the rules", () => {
  const config = (numCores: number, maxValidatorsPerCore: number | null) =>
    ({ schedulerParams: { numCores, maxValidatorsPerCore } }) as unknown as HostConfiguration;

  it("splits validators into groups as the scheduler does (the first n mod cores one larger)", () => {
    expect(checkerValidatorGroups(10, config(3, null))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(checkerValidatorGroups(12, config(1, 5))).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ]);
    expect(checkerValidatorGroups(0, config(3, null))).toEqual([]);
    for (const [n, cores, per] of [
      [12, 3, null],
      [7, 2, null],
      [100, 5, 3],
      [5, 8, null],
    ] as const) {
      expect(checkerValidatorGroups(n, config(cores, per))).toEqual(
        computeValidatorGroups(n, config(cores, per)),
      );
    }
  });

  it("the availability supermajority is n - floor((n - 1) / 3)", () => {
    expect([1, 3, 4, 6, 7, 12, 100].map(checkerSupermajority)).toEqual([1, 3, 3, 5, 5, 9, 67]);
  });
});

describe("doctored block records, with the run's primitives forbidden", () => {
  let w: World;
  let keys: Uint8Array[];
  let allowed: number;
  let minimumBackingVotes: number;
  const block = (n: number) => w.relayBlocks.find((b) => b.header.number === n)!;

  beforeAll(() => {
    w = run({ preset: "async", relayBlocks: 10 }, true).world;
    const crypto = pureCrypto(w.scenario.crypto);
    keys = Array.from(
      { length: w.scenario.relay.validators },
      (_, i) => validatorKeypair(crypto, i).publicKey,
    );
    allowed = w.scenario.relay.hostConfiguration.asyncBackingParams.allowedAncestryLen;
    minimumBackingVotes = w.chain.at(0)!.state.config.minimumBackingVotes;
  }, 120_000);

  /** Replay the run's blocks up to `last` into a fresh checker, some replaced, primitives off. */
  function replay(
    last: number,
    replace: ReadonlyMap<number, BlockObservation> = new Map(),
    sessions: readonly NewSession[] = [],
  ): Violation[] {
    const crypto = pureCrypto(w.scenario.crypto);
    guard.state.on = true;
    try {
      const checker = new SafetyChecker({
        config: w.chain.at(0)!.state.config,
        genesisSession: { startBlock: 1, sessionIndex: 0, validatorKeys: keys },
        genesisHeads: new Map(w.paras.map((p) => [p.spec.id, p.genesis.headHash])),
        blockFacts: (hash) => w.blocks.get(hash),
        relayNumber: (hash) => w.chain.header(hash)?.number,
        verify: (m, sig, k) => crypto.verify(m, sig, k),
      });
      for (const s of sessions) checker.onNewSession(s);
      for (const b of w.relayBlocks) {
        if (b.header.number > last) break;
        checker.onBlock(replace.get(b.header.number) ?? b);
      }
      return checker.violations;
    } finally {
      guard.state.on = false;
    }
  }

  const firstBacking = () => w.relayBlocks.find((r) => backedEvents(r).length > 0)!;

  it("an untampered replay is clean and consults no primitive", () => {
    expect(replay(Number.POSITIVE_INFINITY)).toEqual([]);
    expect(guard.state.consulted).toEqual([]);
  });

  /** The first backing block with each backed candidate's votes cut to `k` (the first k). */
  function votesCut(k: number, forge = false): { n: number; tampered: BlockObservation } {
    const b = firstBacking();
    return {
      n: b.header.number,
      tampered: {
        ...b,
        accepted: {
          ...b.accepted,
          backedCandidates: b.accepted.backedCandidates.map((c) => {
            const setBits = c.validatorIndices.flatMap((bit, i) => (bit ? [i] : []));
            const keep = new Set(setBits.slice(0, k));
            return {
              ...c,
              validatorIndices: c.validatorIndices.map((bit, i) => bit && keep.has(i)),
              validityVotes: c.validityVotes
                .slice(0, k)
                .map((v, i) =>
                  forge && i === 0
                    ? { ...v, signature: v.signature.map((x, j) => (j === 0 ? x ^ 1 : x)) }
                    : v,
                ),
            };
          }),
        },
      },
    };
  }

  it("backed-by-group: one backing vote fewer than the quorum fires, the quorum passes", () => {
    const need = minimumBackingVotes; // groups of 4 in the async preset: min(4, configured)
    const exact = votesCut(need);
    expect(replay(exact.n, new Map([[exact.n, exact.tampered]]))).toEqual([]);
    const short = votesCut(need - 1);
    const v = replay(short.n, new Map([[short.n, short.tampered]]));
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => x.invariant === "backed-by-group")).toBe(true);
    expect(v[0]!.message).toContain(`${need - 1} votes of group`);
    expect(guard.state.consulted).toEqual([]);
  });

  it("backed-by-group: a vote whose signature does not verify is not counted", () => {
    const forged = votesCut(minimumBackingVotes, true);
    const v = replay(forged.n, new Map([[forged.n, forged.tampered]]));
    expect(v.map((x) => x.invariant)).toContain("backed-by-group");
    expect(v[0]!.message).toContain(`${minimumBackingVotes - 1} votes of group`);
  });

  it("available: one bitfield fewer than the supermajority fires, the supermajority passes", () => {
    const first = backedEvents(firstBacking())[0]!;
    const n = firstBacking().header.number + 1;
    const inclusion = block(n);
    expect(includedEvents(inclusion).map((e) => e.candidateHash)).toContain(first.candidateHash);
    const need = checkerSupermajority(keys.length);
    const voting = inclusion.accepted.bitfields.filter((bf) => bf.payload[first.core]);
    const silent = inclusion.accepted.bitfields.filter((bf) => !bf.payload[first.core]);
    const keep = (k: number): BlockObservation => ({
      ...inclusion,
      accepted: {
        ...inclusion.accepted,
        // Ascending by validator, as the runtime keeps them.
        bitfields: [...silent, ...voting.slice(0, k)].sort(
          (a, b) => a.validatorIndex - b.validatorIndex,
        ),
      },
    });
    expect(replay(n, new Map([[n, keep(need)]]))).toEqual([]);
    expect(replay(n, new Map([[n, keep(need - 1)]]))).toEqual([
      {
        relayBlock: n,
        invariant: "available",
        message: `candidate ${first.candidateHash} of para 2000: ${need - 1} availability votes, ${need} needed`,
      },
    ]);
    expect(guard.state.consulted).toEqual([]);
  });

  it("relay-parent: a relay parent outside the allowed ancestry fires", () => {
    const b = w.relayBlocks.find(
      (r) => r.header.number - 2 - allowed >= 1 && backedEvents(r).length > 0,
    )!;
    const n = b.header.number;
    const e = backedEvents(b)[0]!;
    const tooOld = w.chain.at(n - 2 - allowed)!.header.hash;
    const tampered: BlockObservation = {
      ...b,
      events: b.events.map((x) =>
        x === e
          ? {
              ...e,
              receipt: {
                ...e.receipt,
                descriptor: { ...e.receipt.descriptor, relayParent: tooOld },
              },
            }
          : x,
      ),
    };
    const v = replay(n, new Map([[n, tampered]]));
    expect(v[0]).toEqual({
      relayBlock: n,
      invariant: "relay-parent",
      message: `candidate ${e.candidateHash} of para 2000: relay parent #${n - 2 - allowed} outside ${n - 1 - allowed}..${n - 1}`,
    });
    expect(guard.state.consulted).toEqual([]);
  });

  it("heads-chain: a gap in the included heads fires", () => {
    const n = firstBacking().header.number + 1;
    const gap: BlockObservation = {
      ...block(n),
      events: block(n).events.filter((e) => e.kind !== "CandidateIncluded"),
    };
    const v = replay(n + 1, new Map([[n, gap]]));
    expect(v.map((x) => x.invariant)).toContain("heads-chain");
    expect(v.find((x) => x.invariant === "heads-chain")!.relayBlock).toBe(n + 1);
    expect(guard.state.consulted).toEqual([]);
  });

  it("a new session drains pending availability: a candidate included across it was never backed in it", () => {
    const b = firstBacking();
    const n = b.header.number;
    const first = backedEvents(b)[0]!;
    const v = replay(n + 1, new Map(), [
      { startBlock: n + 1, sessionIndex: 0, validatorKeys: keys },
    ]);
    expect(v).toContainEqual({
      relayBlock: n + 1,
      invariant: "backed-by-group",
      message: `candidate ${first.candidateHash} of para 2000 included but never backed`,
    });
    // Same validators, same session index, no session change: nothing.
    expect(replay(n + 1)).toEqual([]);
  });

  it("a new session's validator list regroups the validators: votes signed under the old order no longer count", () => {
    const b = firstBacking();
    const n = b.header.number;
    const reversed = [...keys].reverse();
    const v = replay(n, new Map(), [{ startBlock: 1, sessionIndex: 0, validatorKeys: reversed }]);
    expect(v.map((x) => x.invariant)).toContain("backed-by-group");
    expect(v.find((x) => x.invariant === "backed-by-group")!.message).toContain("0 votes of group");
    expect(guard.state.consulted).toEqual([]);
  });
});
