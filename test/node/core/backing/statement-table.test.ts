/**
 * Port of polkadot/statement-table/src/generic.rs `mod tests` (Rust test names kept), plus the
 * cases the Rust tests leave implicit, and `tableAttestedToBacked` (backing/lib.rs).
 * As in Rust: Candidate = (group, body), Digest = body, signatures are numbers.
 */
import { describe, expect, it } from "vitest";
import { tableAttestedToBacked } from "../../../../src/node/core/backing/backing.ts";
import {
  type AttestedCandidate,
  CandidateData,
  type SignedTableStatement,
  Table,
  type TableContext,
} from "../../../../src/node/core/backing/statement-table.ts";

type Candidate = readonly [group: number, body: number];
type Stmt = SignedTableStatement<Candidate, number, number, number>;

/** `TestContext`: authority -> group. */
function context(authorities: Record<number, number>): TableContext<number, number> {
  return {
    isMemberOf: (a, g) => authorities[a] === g,
    getGroupSize: (g) => {
      const count = Object.values(authorities).filter((x) => x === g).length;
      return count === 0 ? undefined : count;
    },
  };
}

const createSingleSeconded = () =>
  new Table<Candidate, number, number, number, number>(
    { allowMultipleSeconded: false },
    (c) => c[1],
    (a, b) => a === b,
  );
const createManySeconded = () =>
  new Table<Candidate, number, number, number, number>(
    { allowMultipleSeconded: true },
    (c) => c[1],
    (a, b) => a === b,
  );

const seconded = (candidate: Candidate, signature: number, sender: number): Stmt => ({
  statement: { kind: "Seconded", candidate },
  signature,
  sender,
});
const valid = (digest: number, signature: number, sender: number): Stmt => ({
  statement: { kind: "Valid", digest },
  signature,
  sender,
});

describe("statement table (generic.rs)", () => {
  it("submitting_two_candidates_can_be_misbehavior", () => {
    const ctx = context({ 1: 2 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    table.importStatement(ctx, 2, seconded([2, 999], 1, 1));
    expect(table.getMisbehavior().get(1)?.[0]).toEqual({
      kind: "MultipleCandidates",
      first: [[2, 100], 1],
      second: [[2, 999], 1],
    });
  });

  it("submitting_two_candidates_can_be_allowed", () => {
    const ctx = context({ 1: 2 });
    const table = createManySeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    const summary = table.importStatement(ctx, 2, seconded([2, 999], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    expect(summary).toEqual({ candidate: 999, groupId: 2, validityVotes: 1 });
  });

  it("submitting_candidate_from_wrong_group_is_misbehavior", () => {
    const ctx = context({ 1: 3 });
    const table = createSingleSeconded();
    expect(table.importStatement(ctx, 2, seconded([2, 100], 1, 1))).toBeNull();
    expect(table.getMisbehavior().get(1)?.[0]).toEqual({
      kind: "UnauthorizedStatement",
      statement: seconded([2, 100], 1, 1),
    });
  });

  it("unauthorized_votes", () => {
    const ctx = context({ 1: 2, 2: 3 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    expect(table.getMisbehavior().has(2)).toBe(false);
    // Authority 2 votes for validity on 1's candidate.
    table.importStatement(ctx, 3, valid(100, 2, 2));
    expect(table.getMisbehavior().get(2)?.[0]).toEqual({
      kind: "UnauthorizedStatement",
      statement: valid(100, 2, 2),
    });
  });

  it("candidate_double_signature_is_misbehavior", () => {
    const ctx = context({ 1: 2, 2: 2 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    table.importStatement(ctx, 2, seconded([2, 100], 999, 1));
    expect(table.getMisbehavior().get(1)?.[0]).toEqual({
      kind: "DoubleSign",
      on: "Seconded",
      candidate: [2, 100],
      a: 1,
      b: 999,
    });
  });

  it("issue_and_vote_is_misbehavior", () => {
    const ctx = context({ 1: 2 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    table.importStatement(ctx, 2, valid(100, 1, 1));
    expect(table.getMisbehavior().get(1)?.[0]).toEqual({
      kind: "ValidityDoubleVote",
      issued: [[2, 100], 1],
      validity: [100, 1],
    });
  });

  it("candidate_attested_works", () => {
    const threshold = 6;
    const candidate = new CandidateData<number, Candidate, number, number>(4, [4, 12345]);
    expect(candidate.attested(threshold)).toBeNull();
    for (let i = 0; i < threshold; i++) {
      candidate.validityVotes.set(i + 100, { kind: "Valid", signature: i + 100 });
    }
    expect(candidate.attested(threshold)).not.toBeNull();
    candidate.validityVotes.set(threshold + 100, { kind: "Valid", signature: threshold + 100 });
    expect(candidate.attested(threshold)?.validityVotes).toHaveLength(threshold + 1);
  });

  it("includability_works", () => {
    const ctx = context({ 1: 2, 2: 2, 3: 2 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    expect(table.attestedCandidate(100, ctx, 2)).toBeNull();
    table.importStatement(ctx, 2, valid(100, 2, 2));
    expect(table.getMisbehavior().has(2)).toBe(false);
    expect(table.attestedCandidate(100, ctx, 2)).toEqual({
      groupId: 2,
      candidate: [2, 100],
      validityVotes: [
        [1, { kind: "Implicit", signature: 1 }],
        [2, { kind: "Explicit", signature: 2 }],
      ],
    });
  });

  it("candidate_import_gives_summary", () => {
    const ctx = context({ 1: 2 });
    const table = createSingleSeconded();
    expect(table.importStatement(ctx, 2, seconded([2, 100], 1, 1))).toEqual({
      candidate: 100,
      groupId: 2,
      validityVotes: 1,
    });
  });

  it("candidate_vote_gives_summary", () => {
    const ctx = context({ 1: 2, 2: 2 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.getMisbehavior().has(1)).toBe(false);
    expect(table.importStatement(ctx, 2, valid(100, 2, 2))).toEqual({
      candidate: 100,
      groupId: 2,
      validityVotes: 2,
    });
    expect(table.getMisbehavior().has(2)).toBe(false);
  });
});

describe("statement table: the rules the Rust tests leave implicit", () => {
  it("ignores a Valid for an unknown candidate (no misbehaviour, no summary)", () => {
    const ctx = context({ 1: 2 });
    const table = createManySeconded();
    expect(table.importStatement(ctx, 2, valid(100, 1, 1))).toBeNull();
    expect(table.getMisbehavior().size).toBe(0);
    expect(table.getCandidate(100)).toBeUndefined();
  });

  it("ignores an identical duplicate vote, flags a second signature on Valid as DoubleSign", () => {
    const ctx = context({ 1: 2, 2: 2 });
    const table = createManySeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.importStatement(ctx, 2, seconded([2, 100], 1, 1))).toBeNull();
    expect(table.importStatement(ctx, 2, valid(100, 2, 2))?.validityVotes).toBe(2);
    expect(table.importStatement(ctx, 2, valid(100, 2, 2))).toBeNull();
    expect(table.getMisbehavior().size).toBe(0);
    table.importStatement(ctx, 2, valid(100, 7, 2));
    expect(table.getMisbehavior().get(2)?.[0]).toEqual({
      kind: "DoubleSign",
      on: "Validity",
      digest: 100,
      a: 2,
      b: 7,
    });
  });

  it("attests at min(group size, minimum backing votes); never for an unknown group size", () => {
    const ctx = context({ 1: 2 }); // a group of one
    const table = createManySeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.attestedCandidate(100, ctx, 2)).not.toBeNull();
    const noSize: TableContext<number, number> = { ...ctx, getGroupSize: () => undefined };
    expect(table.attestedCandidate(100, noSize, 1)).toBeNull();
    expect(table.attestedCandidate(999, ctx, 1)).toBeNull();
  });

  it("drainMisbehaviors empties the record", () => {
    const ctx = context({ 1: 3 });
    const table = createSingleSeconded();
    table.importStatement(ctx, 2, seconded([2, 100], 1, 1));
    expect(table.drainMisbehaviors().map(([a, m]) => [a, m.kind])).toEqual([
      [1, "UnauthorizedStatement"],
    ]);
    expect(table.getMisbehavior().size).toBe(0);
  });
});

describe("tableAttestedToBacked", () => {
  const sig = (n: number) => new Uint8Array([n]);
  const attested = (core: number, votes: [number, "Implicit" | "Explicit"][]) =>
    ({
      groupId: core,
      candidate: "receipt",
      validityVotes: votes.map(([v, kind]) => [v, { kind, signature: sig(v) }] as const),
    }) as unknown as AttestedCandidate<number, never, number, Uint8Array>;

  it("orders votes by position in the group and sets their bits", () => {
    const backed = tableAttestedToBacked(
      attested(0, [
        [9, "Explicit"],
        [4, "Implicit"],
      ]),
      [4, 7, 9],
      false,
    );
    expect(backed?.validatorIndices).toEqual([true, false, true]);
    expect(backed?.validityVotes).toEqual([
      { kind: "Implicit", signature: sig(4) },
      { kind: "Explicit", signature: sig(9) },
    ]);
  });

  it("appends the core index as 8 bits, least significant first, with ElasticScalingMVP", () => {
    const backed = tableAttestedToBacked(attested(5, [[7, "Implicit"]]), [4, 7], true);
    expect(backed?.validatorIndices).toEqual([
      false,
      true,
      ...[true, false, true, false, false, false, false, false],
    ]);
  });

  it("refuses a vote from outside the group", () => {
    expect(tableAttestedToBacked(attested(0, [[3, "Implicit"]]), [4, 7], false)).toBeNull();
  });
});
