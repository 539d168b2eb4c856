/**
 * Assignment criteria. The first block ports criteria.rs's `#[cfg(test)] mod tests` (same names,
 * same numbers; Alice is validator 0, the other keys are derived instead of random), asserting the
 * exact `InvalidAssignmentReason` where the Rust only asserts `is_ok() == false`. The VRF is the
 * modelled `prfVrf` unless a test says sr25519 (slow: a few ms per VRF, so few of them).
 */
import { describe, expect, it } from "vitest";
import { bytesEqual, repeatByte } from "../../../src/lib/hex.ts";
import { Prng } from "../../../src/lib/prng.ts";
import {
  type AssignmentCert,
  type AssignmentConfig,
  assignmentForCore,
  CORE_RANDOMNESS_CONTEXT,
  type CriteriaConfig,
  checkAssignmentCert,
  computeAssignments,
  delayAssignment,
  generateSamples,
  type InvalidAssignmentReason,
  type LeavingCore,
  MAX_MODULO_SAMPLES,
  moduloAssignments,
  type OurAssignment,
  type OurAssignmentKey,
  relayVrfDelayTranche,
  relayVrfModuloCore,
  relayVrfModuloTranscriptV1,
} from "../../../src/node/core/approval-voting/criteria.ts";
import {
  type AssignmentVrf,
  prfVrf,
  sr25519Vrf,
} from "../../../src/node/core/approval-voting/vrf.ts";
import { keypairFromLabel } from "../../../src/primitives/keys.ts";
import { type Keypair, noneCrypto, sr25519Crypto } from "../../../src/primitives/signing.ts";

const STORY = new Uint8Array(32).fill(42); // RelayVRFStory([42u8; 32])

function noneKey(i: number): Keypair {
  return keypairFromLabel(noneCrypto, `parapipe/assignment/${i}`);
}

function seededRandom(seed: string): (n: number) => Uint8Array {
  const rng = Prng.fromSeed(seed);
  return (n) => Uint8Array.from({ length: n }, () => rng.uint32() & 0xff);
}

/** `basic_groups(n_validators, n_groups)`: members of each group. */
function basicGroups(nValidators: number, nGroups: number): number[][] {
  const size = Math.floor(nValidators / nGroups);
  const bigGroups = nValidators % nGroups;
  const scraps = nGroups * size;
  return Array.from({ length: nGroups }, (_, i) => {
    const g = Array.from({ length: size }, (_, k) => i * size + k);
    if (i < bigGroups) g.push(scraps + i);
    return g;
  });
}

function hash(byte: number): string {
  return repeatByte(byte);
}

function coresOf(cert: AssignmentCert, core: number): number[] {
  switch (cert.kind.kind) {
    case "RelayVRFModuloCompact":
      return [...cert.kind.coreBitfield];
    case "RelayVRFModulo":
      return [core];
    case "RelayVRFDelay":
      return [cert.kind.coreIndex];
  }
}

describe("criteria.rs tests (ported)", () => {
  const alice: OurAssignmentKey = { validatorIndex: 0, keypair: noneKey(0) };
  const config: CriteriaConfig = {
    nCores: 2,
    zerothDelayTrancheWidth: 10,
    relayVrfModuloSamples: 10,
    nDelayTranches: 40,
  };
  // validator_groups: [[0], [1, 2]]
  const groups = [[0], [1, 2]];

  it("assignments_produced_for_non_backing", () => {
    const assignments = computeAssignments(
      prfVrf,
      alice,
      STORY,
      config,
      [
        { candidateHash: hash(0), coreIndex: 0, backingGroup: groups[1]! },
        { candidateHash: hash(1), coreIndex: 1, backingGroup: groups[0]! },
      ],
      false,
    );
    // Alice is in group 0, which was the backing group for core 1.
    // Alice should have self-assigned to check core 0 but not 1.
    expect(assignments.size).toBe(1);
    expect(assignments.has(0)).toBe(true);
  });

  it("assign_to_nonzero_core", () => {
    const assignments = computeAssignments(
      prfVrf,
      alice,
      STORY,
      config,
      [
        { candidateHash: hash(0), coreIndex: 0, backingGroup: groups[0]! },
        { candidateHash: hash(1), coreIndex: 1, backingGroup: groups[1]! },
      ],
      false,
    );
    expect(assignments.size).toBe(1);
    expect(assignments.has(1)).toBe(true);
  });

  it("succeeds_empty_for_0_cores", () => {
    for (const v2 of [false, true]) {
      expect(computeAssignments(prfVrf, alice, STORY, { ...config, nCores: 0 }, [], v2).size).toBe(
        0,
      );
    }
  });

  interface MutatedAssignment {
    cores: number[];
    cert: AssignmentCert;
    groups: number[][];
    ownGroup: number[];
    valIndex: number;
    config: AssignmentConfig;
  }

  /**
   * `check_mutated_assignments`: compute v1 and v2 assignments for validator 0, mutate each with
   * `f` and check it; `f` returns the expected error (null: accepted) or undefined to skip.
   */
  function checkMutatedAssignments(
    nValidators: number,
    nCores: number,
    rotationOffset: number,
    f: (m: MutatedAssignment) => InvalidAssignmentReason | null | undefined,
  ): number {
    const groupForCore = (i: number) => (i + rotationOffset) % nCores;
    const validatorGroups = basicGroups(nValidators, nCores);
    const checkConfig: AssignmentConfig = {
      assignmentKeys: Array.from({ length: nValidators }, (_, i) => noneKey(i).publicKey),
      nCores,
      zerothDelayTrancheWidth: 10,
      relayVrfModuloSamples: 15,
      nDelayTranches: 40,
    };
    const leaving: LeavingCore[] = Array.from({ length: nCores }, (_, i) => ({
      candidateHash: hash(i),
      coreIndex: i,
      backingGroup: validatorGroups[groupForCore(i)]!,
    }));
    const assignments = computeAssignments(prfVrf, alice, STORY, checkConfig, leaving, false);
    // Extend with v2 assignments as well. (As in the Rust, the v2 map holds every assignable core,
    // delay ones included, so no v1 cert survives: v1 certs are checked further below.)
    for (const [core, a] of computeAssignments(prfVrf, alice, STORY, checkConfig, leaving, true)) {
      assignments.set(core, a);
    }

    let counted = 0;
    for (const [core, assignment] of assignments) {
      const cores = coresOf(assignment.cert, core);
      const mutated: MutatedAssignment = {
        cores,
        groups: cores.map((c) => validatorGroups[groupForCore(c)]!),
        cert: assignment.cert,
        ownGroup: validatorGroups[0]!,
        valIndex: 0,
        config: checkConfig,
      };
      const expected = f(mutated);
      if (expected === undefined) continue;
      counted++;
      const result = checkAssignmentCert(
        prfVrf,
        mutated.cores,
        mutated.valIndex,
        mutated.config,
        STORY,
        mutated.cert,
        mutated.groups,
      );
      expect(result.ok ? null : result.error.code, JSON.stringify(assignment.cert.kind)).toBe(
        expected,
      );
    }
    expect(counted).toBeGreaterThan(0);
    return counted;
  }

  it("computed_assignments_pass_checks", () => {
    checkMutatedAssignments(200, 100, 25, () => null);
  });

  it("check_rejects_claimed_core_out_of_bounds", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      const before = m.cores.length;
      m.cores = [100];
      // A compact cert claiming several cores now has more groups than cores.
      return before === 1 ? "CoreIndexOutOfBounds" : "InvalidArguments";
    });
  });

  it("check_rejects_in_backing_group", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      m.groups[0] = m.ownGroup;
      return "IsInBackingGroup";
    });
  });

  it("check_rejects_nonexistent_key", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      m.valIndex += 200;
      return "ValidatorIndexOutOfBounds";
    });
  });

  it("check_rejects_delay_bad_vrf", () => {
    const garbage = { output: new Uint8Array(32).fill(7), proof: new Uint8Array(32).fill(9) };
    checkMutatedAssignments(40, 100, 8, (m) => {
      if (m.cert.kind.kind !== "RelayVRFDelay") return undefined; // skip everything else.
      m.cert = { ...m.cert, vrf: garbage };
      return "VRFDelayOutputMismatch";
    });
  });

  it("check_rejects_modulo_bad_vrf", () => {
    const garbage = { output: new Uint8Array(32).fill(7), proof: new Uint8Array(32).fill(9) };
    const counted = checkMutatedAssignments(200, 100, 25, (m) => {
      if (m.cert.kind.kind === "RelayVRFDelay") return undefined; // skip everything else.
      m.cert = { ...m.cert, vrf: garbage };
      return "VRFModuloOutputMismatch";
    });
    expect(counted).toBeGreaterThan(1);
  });

  it("check_rejects_modulo_sample_out_of_bounds", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      switch (m.cert.kind.kind) {
        case "RelayVRFModulo":
          m.config = { ...m.config, relayVrfModuloSamples: m.cert.kind.sample };
          return "SampleOutOfBounds";
        case "RelayVRFModuloCompact":
          return null;
        default:
          return undefined; // skip everything else.
      }
    });
  });

  it("check_rejects_delay_claimed_core_wrong", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      if (m.cert.kind.kind !== "RelayVRFDelay") return undefined; // skip everything else.
      m.cores = [(m.cores[0]! + 1) % 100];
      return "VRFDelayCoreIndexMismatch";
    });
  });

  it("check_rejects_modulo_core_wrong", () => {
    checkMutatedAssignments(200, 100, 25, (m) => {
      const kind = m.cert.kind.kind;
      if (kind === "RelayVRFDelay") return undefined; // skip everything else.
      const before = m.cores.length;
      m.cores = [(m.cores[0]! + 1) % 100];
      if (kind === "RelayVRFModulo") return "VRFModuloOutputMismatch"; // the extra names the core
      return before === 1 ? "VRFModuloCoreIndexMismatch" : "InvalidArguments";
    });
  });

  it("generate_samples_invariant (parapipe's generator: pinned, and the tail structure)", () => {
    // The Rust pins ChaCha20's samples; ours are pinned to xoshiro128** so a change is noticed.
    const rng = () => Prng.fromState([1, 52, 10, 92]);
    expect(generateSamples(rng(), 6, 100)).toEqual([76, 27, 12, 30, 45, 20]);
    expect(generateSamples(rng(), 6, 7)).toEqual([2, 3, 6, 5, 0, 4]);
    expect(generateSamples(rng(), 6, 12)).toEqual([7, 3, 9, 11, 1, 0]);
    expect(generateSamples(rng(), 1, 100)).toEqual([20]);
    expect(generateSamples(rng(), 0, 100)).toEqual([]);
    const max = generateSamples(rng(), MAX_MODULO_SAMPLES + 1, 100);
    expect(max).toHaveLength(MAX_MODULO_SAMPLES);
    expect(new Set(max).size).toBe(MAX_MODULO_SAMPLES);
    // As in the Rust's vectors: fewer samples are the tail of more (partial_shuffle from the end).
    expect(max.slice(-6)).toEqual(generateSamples(rng(), 6, 100));
    // n_cores <= samples: every core, each once.
    expect([...generateSamples(rng(), 10, 7)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("assignment criteria", () => {
  const N_CORES = 20;
  const config: CriteriaConfig = {
    nCores: N_CORES,
    zerothDelayTrancheWidth: 0,
    relayVrfModuloSamples: 6,
    nDelayTranches: 89,
  };
  // 60 validators in groups of 3; core c backed by group c; cores 0..14 leaving this block.
  const groups = basicGroups(60, N_CORES);
  const leaving: LeavingCore[] = Array.from({ length: 15 }, (_, c) => ({
    candidateHash: hash(c),
    coreIndex: c,
    backingGroup: groups[c]!,
  }));
  const keyOf = (v: number): OurAssignmentKey => ({ validatorIndex: v, keypair: noneKey(v) });

  it("excludes the cores our own group backed, eagerly and lazily", () => {
    for (const v2 of [false, true]) {
      const key = keyOf(4); // group 1: core 1
      const eager = computeAssignments(prfVrf, key, STORY, config, leaving, v2);
      expect(eager.has(1)).toBe(false);
      expect(eager.size).toBe(leaving.length - 1);
      const modulo = moduloAssignments(prfVrf, key, STORY, config, leaving, v2);
      expect(modulo.has(1)).toBe(false);
      expect(assignmentForCore(prfVrf, key, STORY, config, modulo, leaving[1]!)).toBeNull();
      expect(assignmentForCore(prfVrf, key, STORY, config, modulo, leaving[2]!)).not.toBeNull();
    }
  });

  it("v1: each sample hits u32le(output) % n_cores, and only leaving cores are kept", () => {
    let hits = 0;
    for (let v = 0; v < 60; v++) {
      for (const [core, a] of moduloAssignments(prfVrf, keyOf(v), STORY, config, leaving, false)) {
        expect(a.cert.kind.kind).toBe("RelayVRFModulo");
        expect(a.tranche).toBe(0);
        expect(relayVrfModuloCore(a.cert.vrf.output, N_CORES)).toBe(core);
        expect(core).toBeLessThan(15); // a leaving core
        // `or_insert`: no earlier sample hit this core.
        if (a.cert.kind.kind !== "RelayVRFModulo") continue;
        for (let s = 0; s < a.cert.kind.sample; s++) {
          const t = relayVrfModuloTranscriptV1(STORY, s);
          const earlier = prfVrf.evaluate(keyOf(v).keypair, t, CORE_RANDOMNESS_CONTEXT).output;
          expect(relayVrfModuloCore(earlier, N_CORES)).not.toBe(core);
        }
        expect(groups[core]).not.toContain(v);
        hits++;
      }
    }
    // 60 validators x 6 samples x 15/20 leaving: about 270 hits minus collisions.
    expect(hits).toBeGreaterThan(150);
  });

  it("v2: one compact cert covers all its cores, at most min(40, samples, n_cores)", () => {
    let multi = 0;
    for (let v = 0; v < 60; v++) {
      const modulo = moduloAssignments(prfVrf, keyOf(v), STORY, config, leaving, true);
      const certs = new Set([...modulo.values()].map((a) => a.cert));
      expect(certs.size).toBeLessThanOrEqual(1);
      for (const cert of certs) {
        expect(cert.kind.kind).toBe("RelayVRFModuloCompact");
        if (cert.kind.kind !== "RelayVRFModuloCompact") continue;
        expect(cert.kind.coreBitfield).toEqual([...modulo.keys()].sort((a, b) => a - b));
        expect(cert.kind.coreBitfield.length).toBeLessThanOrEqual(6);
        for (const core of cert.kind.coreBitfield) expect(core).toBeLessThan(15);
        if (cert.kind.coreBitfield.length > 1) multi++;
      }
    }
    expect(multi).toBeGreaterThan(10);
    // samples >= n_cores: every non-backing validator checks every leaving core in tranche 0.
    const all = moduloAssignments(
      prfVrf,
      keyOf(4),
      STORY,
      { ...config, relayVrfModuloSamples: 40 },
      leaving,
      true,
    );
    expect([...all.keys()].sort((a, b) => a - b)).toEqual(
      leaving.map((c) => c.coreIndex).filter((c) => c !== 1),
    );
  });

  it("delay tranches: P(tranche 0) = (zeroth + 1) / (n_delay + zeroth), all within n_delay", () => {
    const cases = [
      { nDelayTranches: 40, zerothDelayTrancheWidth: 10 }, // 11/50 = 0.22
      { nDelayTranches: 10, zerothDelayTrancheWidth: 0 }, // 1/10
    ];
    const N = 6000;
    for (const c of cases) {
      const cfg = { ...config, ...c };
      let zero = 0;
      let last = 0;
      const seen = new Set<number>();
      for (let v = 0; v < N; v++) {
        const t = delayAssignment(prfVrf, keyOf(v), STORY, cfg, 3).tranche;
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThan(c.nDelayTranches);
        seen.add(t);
        if (t === 0) zero++;
        if (t === c.nDelayTranches - 1) last++;
      }
      const width = c.nDelayTranches + c.zerothDelayTrancheWidth;
      const p0 = (c.zerothDelayTrancheWidth + 1) / width;
      const tolerance = (p: number) => 4 * Math.sqrt((p * (1 - p)) / N);
      expect(Math.abs(zero / N - p0)).toBeLessThan(tolerance(p0));
      expect(Math.abs(last / N - 1 / width)).toBeLessThan(tolerance(1 / width));
      expect(seen.size).toBe(c.nDelayTranches);
    }
    // The reduction itself: sat_sub(u32le % (n + z), z).
    const out = new Uint8Array(32);
    out.set([5, 0, 0, 0]);
    expect(relayVrfDelayTranche(out, 40, 10)).toBe(0);
    out.set([57, 0, 0, 0]); // 57 % 50 = 7 < 10
    expect(relayVrfDelayTranche(out, 40, 10)).toBe(0);
    out.set([99, 0, 0, 0]); // 99 % 50 = 49 -> 39
    expect(relayVrfDelayTranche(out, 40, 10)).toBe(39);
  });

  it("lazy == eager: the modulo part once, the delay of a core on demand", () => {
    for (const v2 of [false, true]) {
      for (let v = 0; v < 60; v += 7) {
        const key = keyOf(v);
        const eager = computeAssignments(prfVrf, key, STORY, config, leaving, v2);
        const modulo = moduloAssignments(prfVrf, key, STORY, config, leaving, v2);
        const lazy = new Map<number, OurAssignment>();
        for (const c of leaving) {
          const a = assignmentForCore(prfVrf, key, STORY, config, modulo, c);
          if (a !== null) lazy.set(c.coreIndex, a);
        }
        expect(lazy).toEqual(eager);
        // Both tranche kinds occur, so the comparison covers both paths.
        const kinds = new Set([...eager.values()].map((a) => a.cert.kind.kind));
        expect(kinds.has("RelayVRFDelay")).toBe(true);
      }
    }
  });

  it("the cert check accepts ours and rejects each tampering with the right reason", () => {
    const checkConfig: AssignmentConfig = {
      ...config,
      assignmentKeys: Array.from({ length: 60 }, (_, v) => noneKey(v).publicKey),
    };
    const key = keyOf(7);
    const mine = computeAssignments(prfVrf, key, STORY, checkConfig, leaving, false);
    const delay = [...mine.entries()].find(([, a]) => a.cert.kind.kind === "RelayVRFDelay")!;
    const modulo = [...mine.entries()].find(([, a]) => a.cert.kind.kind === "RelayVRFModulo")!;
    expect(delay).toBeDefined();
    expect(modulo).toBeDefined();
    const check = (cores: number[], v: number, cert: AssignmentCert, cfg = checkConfig) =>
      checkAssignmentCert(
        prfVrf,
        cores,
        v,
        cfg,
        STORY,
        cert,
        cores.map((c) => groups[c] ?? []),
      );
    const code = (r: ReturnType<typeof check>) => (r.ok ? `ok ${r.value}` : r.error.code);

    const [dCore, dA] = delay;
    const [mCore, mA] = modulo;
    expect(code(check([dCore], 7, dA.cert))).toBe(`ok ${dA.tranche}`);
    expect(code(check([mCore], 7, mA.cert))).toBe("ok 0");
    if (mA.cert.kind.kind !== "RelayVRFModulo") throw new Error("a v1 modulo cert");
    const fewerSamples = { ...checkConfig, relayVrfModuloSamples: mA.cert.kind.sample };
    expect(code(check([mCore], 7, mA.cert, fewerSamples))).toBe("SampleOutOfBounds");
    const moreSamples = { ...checkConfig, relayVrfModuloSamples: mA.cert.kind.sample + 1 };
    expect(code(check([mCore], 7, mA.cert, moreSamples))).toBe("ok 0");

    const flipped = (bytes: Uint8Array) => {
      const b = Uint8Array.from(bytes);
      b[5] = b[5]! ^ 1;
      return b;
    };
    const withVrf = (a: OurAssignment, output: Uint8Array, proof: Uint8Array): AssignmentCert => ({
      ...a.cert,
      vrf: { output, proof },
    });
    // Another validator presenting our cert: its key does not verify it.
    expect(code(check([dCore], 8, dA.cert))).toBe("VRFDelayOutputMismatch");
    expect(code(check([mCore], 8, mA.cert))).toBe("VRFModuloOutputMismatch");
    // A tampered output or proof.
    expect(
      code(check([dCore], 7, withVrf(dA, flipped(dA.cert.vrf.output), dA.cert.vrf.proof))),
    ).toBe("VRFDelayOutputMismatch");
    expect(
      code(check([mCore], 7, withVrf(mA, mA.cert.vrf.output, flipped(mA.cert.vrf.proof)))),
    ).toBe("VRFModuloOutputMismatch");
    // A delay cert for another story.
    const otherStory = new Uint8Array(32).fill(43);
    const r = checkAssignmentCert(prfVrf, [dCore], 7, checkConfig, otherStory, dA.cert, [
      groups[dCore]!,
    ]);
    expect(r.ok ? "ok" : r.error.code).toBe("VRFDelayOutputMismatch");
    // Arguments: nothing claimed, groups missing, two cores for a one-core cert.
    expect(code(check([], 7, dA.cert))).toBe("InvalidArguments");
    const noGroups = checkAssignmentCert(prfVrf, [dCore], 7, checkConfig, STORY, dA.cert, []);
    expect(noGroups.ok ? "ok" : noGroups.error.code).toBe("InvalidArguments");
    // (Validator 7 is in group 2, so it holds no assignment for core 2: these cores are free.)
    const otherCore = dCore === 0 ? 3 : 0;
    expect(code(check([dCore, otherCore], 7, dA.cert))).toBe("InvalidArguments");
    // Another core than the cert's; a claimed core in our own group; a key of the wrong shape.
    expect(code(check([otherCore], 7, dA.cert))).toBe("VRFDelayCoreIndexMismatch");
    expect(code(check([2], 7, dA.cert))).toBe("IsInBackingGroup");
    expect(code(check([N_CORES], 7, dA.cert))).toBe("CoreIndexOutOfBounds");
    const inGroup = checkAssignmentCert(prfVrf, [dCore], 7, checkConfig, STORY, dA.cert, [
      [6, 7, 8],
    ]);
    expect(inGroup.ok ? "ok" : inGroup.error.code).toBe("IsInBackingGroup");
    const badKeys = {
      ...checkConfig,
      assignmentKeys: checkConfig.assignmentKeys.map((k, i) => (i === 7 ? k.subarray(0, 31) : k)),
    };
    expect(code(check([dCore], 7, dA.cert, badKeys))).toBe("InvalidAssignmentKey");
  });

  it("sr25519: computed assignments pass the check, and another key's do not", () => {
    // Few VRFs: 3 cores, 2 samples, 2 validators.
    const srConfig: CriteriaConfig = {
      nCores: 3,
      zerothDelayTrancheWidth: 0,
      relayVrfModuloSamples: 2,
      nDelayTranches: 10,
    };
    const keys = [0, 1].map((i) => keypairFromLabel(sr25519Crypto, `parapipe/assignment/${i}`));
    const checkConfig: AssignmentConfig = {
      ...srConfig,
      assignmentKeys: keys.map((k) => k.publicKey),
    };
    const vrf: AssignmentVrf = sr25519Vrf(seededRandom("sr25519 criteria"));
    const srLeaving: LeavingCore[] = [0, 1, 2].map((c) => ({
      candidateHash: hash(c),
      coreIndex: c,
      backingGroup: [5],
    }));
    const mine = computeAssignments(
      vrf,
      { validatorIndex: 0, keypair: keys[0]! },
      STORY,
      srConfig,
      srLeaving,
      true,
    );
    expect(mine.size).toBe(3);
    const checked = new Set<AssignmentCert>();
    for (const [core, a] of mine) {
      if (checked.has(a.cert)) continue;
      checked.add(a.cert);
      const cores = coresOf(a.cert, core);
      const groupsOf = cores.map(() => [5]);
      const good = checkAssignmentCert(vrf, cores, 0, checkConfig, STORY, a.cert, groupsOf);
      expect(good).toEqual({ ok: true, value: a.tranche });
      const bad = checkAssignmentCert(vrf, cores, 1, checkConfig, STORY, a.cert, groupsOf);
      expect(bad.ok).toBe(false);
    }
    // A public key that is no ristretto point is an invalid assignment key.
    const garbageKey = new Uint8Array(32).fill(0xff);
    const [core0, a0] = [...mine.entries()][0]!;
    const r = checkAssignmentCert(
      vrf,
      coresOf(a0.cert, core0),
      0,
      { ...checkConfig, assignmentKeys: [garbageKey, keys[1]!.publicKey] },
      STORY,
      a0.cert,
      coresOf(a0.cert, core0).map(() => [5]),
    );
    expect(r.ok ? "ok" : r.error.code).toBe("InvalidAssignmentKey");
    // The modelled and the real VRF agree on the shape of the result, not on its bytes.
    const modelled = computeAssignments(
      prfVrf,
      { validatorIndex: 0, keypair: noneKey(0) },
      STORY,
      srConfig,
      srLeaving,
      true,
    );
    expect(bytesEqual(modelled.get(0)!.cert.vrf.output, mine.get(0)!.cert.vrf.output)).toBe(false);
  });
});
