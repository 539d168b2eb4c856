/**
 * The .zndsl side of importing a zombienet network (docs/import.md): reading its lines as
 * zombienet's grammar does, what each means for a run (checks, cores, not checked and why), the
 * timed `expect:` grammar, and the polls in virtual time as zombienet v1 polls.
 */
import { describe, expect, it } from "vitest";
import { parseExpectation } from "../../src/config/expectations.ts";
import { parseZndsl } from "../../src/config/zombienet/zndsl.ts";
import { type NetworkNodes, zndslChecks } from "../../src/config/zombienet/zndsl-checks.ts";
import { judgeAll } from "../../src/report/expect.ts";
import { judgeTimed, type TimedExpectation } from "../../src/report/timed-checks.ts";
import { buildTimeline, type Timeline } from "../../src/report/timeline.ts";

describe("parseZndsl: zombienet's grammar", () => {
  it("reads the header, comparisons in the grammar's words, within and sleep", () => {
    const z = parseZndsl(
      [
        "Description: d",
        "Network: ./net.toml",
        "Creds: config",
        "# a comment",
        "alice: parachain 2000 block height is at least 30 within 240 seconds",
        "alice: parachain 2000 block height is lower than 25 within 2 seconds",
        "alice: parachain 2000 block height > 3",
        'alice: reports substrate_block_height{status="best"} is at least 20 within 600 secs',
        "bob: reports block height is 4",
        'alice: js-script ./assign-core.js with "0,2000,57600" return is 0 within 600 seconds',
        "sleep 10s",
        "alice: parachain 2001 is registered within 60 seconds",
        'c: count of log lines containing "x" is 0 within 10 seconds',
        "alice: parachain 2000 block height is about 30",
      ].join("\n"),
    );
    expect(z.description).toBe("d");
    expect(z.network).toBe("./net.toml");
    const strip = z.lines.map(({ text: _t, ...rest }) => rest);
    expect(strip).toEqual([
      {
        line: 5,
        kind: "paraBlockHeight",
        node: "alice",
        paraId: 2000,
        cmp: { op: ">=", value: 30 },
        withinS: 240,
      },
      {
        line: 6,
        kind: "paraBlockHeight",
        node: "alice",
        paraId: 2000,
        cmp: { op: "<", value: 25 },
        withinS: 2,
      },
      {
        line: 7,
        kind: "paraBlockHeight",
        node: "alice",
        paraId: 2000,
        cmp: { op: ">", value: 3 },
        withinS: null,
      },
      {
        line: 8,
        kind: "report",
        node: "alice",
        metric: 'substrate_block_height{status="best"}',
        cmp: { op: ">=", value: 20 },
        withinS: 600,
      },
      {
        line: 9,
        kind: "report",
        node: "bob",
        metric: "block height",
        cmp: { op: "==", value: 4 },
        withinS: null,
      },
      {
        line: 10,
        kind: "script",
        node: "alice",
        runner: "js-script",
        file: "./assign-core.js",
        args: "0,2000,57600",
        cmp: { op: "==", value: 0 },
        withinS: 600,
      },
      { line: 11, kind: "sleep", seconds: 10 },
      { line: 12, kind: "paraRegistered", node: "alice", paraId: 2001, withinS: 60 },
      { line: 13, kind: "other", node: "c", what: "a count of a node's log lines" },
      { line: 14, kind: "unparsed" },
    ]);
  });
});

const NODES: NetworkNodes = {
  relay: new Map([
    ["alice", "validator"],
    ["v", "validator"],
    ["v-0", "validator"],
    ["full", "full"],
  ]),
  para: new Map([
    ["col-a", { paraId: 2000, index: 0 }],
    ["col-b", { paraId: 2100, index: 0 }],
    ["col-b2", { paraId: 2100, index: 1 }],
    ["fn", { paraId: 2000, index: null }],
  ]),
};
const PARAS = [
  { id: 2000, atGenesis: true, lateLine: null, collators: 1 },
  { id: 2100, atGenesis: true, lateLine: null, collators: 2 },
  { id: 2200, atGenesis: false, lateLine: 40, collators: 1 },
];
const checksOf = (lines: string[]) => {
  const r = zndslChecks(parseZndsl(lines.join("\n")), NODES, PARAS);
  if (!r.ok) throw new Error(`${r.error.line}: ${r.error.reason}`);
  return r.value;
};

describe("zndslChecks: what a .zndsl means for a run", () => {
  it("assign-core lines give cores (both argument orders; the last assignment of a core wins)", () => {
    const c = checksOf([
      'alice: js-script ./assign-core.js with "0,2000,57600" return is 0 within 600 seconds',
      'alice: js-script ./assign-core.js with "2100,1" return is 0 within 600 seconds',
      'alice: js-script ./assign-core.js with "2,2100,57600" return is 0 within 600 seconds',
      'alice: js-script ./assign-core.js with "0,2100,57600" return is 0 within 600 seconds',
      'alice: js-script ./assign-core.js with "2,2100,57600" return is 0 within 600 seconds',
    ]);
    expect([...c.cores]).toEqual([[2100, 3]]);
    expect(c.coreLines.get(2100)).toEqual([2, 3, 4, 5]);
    expect(c.expect).toEqual([]);
  });

  it("refuses an assign-core line it cannot read, or naming a para not in the network", () => {
    const bad = (line: string) => zndslChecks(parseZndsl(line), NODES, PARAS);
    expect(bad('alice: js-script ./assign-core.js with "x,1" within 600 seconds')).toEqual({
      ok: false,
      error: {
        line: 1,
        reason: expect.stringMatching(/expected "core,para,parts" or "para,core"/),
      },
    });
    expect(bad('alice: js-script ./assign-core.js with "0,3000,57600" within 600 seconds')).toEqual(
      {
        ok: false,
        error: { line: 1, reason: expect.stringMatching(/para 3000, which is not in the network/) },
      },
    );
  });

  it("maps what it measures to timed checks in order, sleeps before a check to waits", () => {
    const c = checksOf([
      "alice: parachain 2000 is registered within 60 seconds",
      "v: parachain 2000 block height is at least 30 within 240 seconds",
      "sleep 5 seconds",
      "alice: parachain 2000 block height is lower than 25",
      'v-0: reports substrate_block_height{status="best"} is at least 20 within 600 seconds',
      "col-a: reports block height is at least 20 within 225 seconds",
      'alice: reports substrate_block_height{status="finalized"} is at least 10 within 100 seconds',
      "full: reports finalised height is at least 12",
    ]);
    expect(c.expect).toEqual([
      "para 2000 registered within 60 s",
      "para 2000 height >= 30 within 240 s",
      "wait 5 s",
      "para 2000 height < 25 within 10 s",
      "relay height >= 20 within 600 s",
      "para 2000 collator 0 height >= 20 within 225 s",
      "relay finalized height >= 10 within 100 s",
      "relay finalized height >= 12 within 10 s",
    ]);
    expect(c.expectLines).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.worstCaseMs).toBe((60 + 240 + 5 + 10 + 600 + 225 + 100 + 10) * 1000);
    expect(c.notChecked).toEqual([]);
  });

  it("lists what it does not check, with the reason", () => {
    const c = checksOf([
      "alice: reports node_roles is 4",
      'col-a: reports substrate_block_height{status="finalized"} is at least 3 within 30 seconds',
      "alice: is up",
      "alice: parachain 2200 block height is at least 3 within 30 seconds",
      "col-a: parachain 2000 block height is at least 3 within 30 seconds",
      "col-b: reports block height is at least 3 within 30 seconds",
      "fn: reports block height is at least 3 within 30 seconds",
      "nobody: reports block height is at least 3 within 30 seconds",
      'alice: js-script ./register-para.js with "2000" within 240 seconds',
      "alice: parachain 2000 block height is at least 3 within 30 seconds",
      "alice: js-script ./other.js within 10 seconds",
      "alice: pause",
      "gibberish",
      "sleep 100s",
    ]);
    expect(c.expect).toEqual([]);
    expect(c.notChecked.map((n) => [n.line, n.reason])).toEqual([
      [1, "the node metric node_roles is not modelled by parapipe"],
      [
        2,
        expect.stringMatching(
          /^col-a is a para node: its finalized height is its parachain's own .*which parapipe does not model$/,
        ),
      ],
      [3, expect.stringMatching(/every simulated node is/)],
      [
        4,
        expect.stringMatching(/para 2200 is registered after genesis \(line 40 of the network\)/),
      ],
      [5, expect.stringMatching(/col-a is not a relay-chain node/)],
      [6, expect.stringMatching(/para 2100 has 2 collators/)],
      [7, expect.stringMatching(/a para full node/)],
      [8, "nobody is not a node of the network"],
      [9, "registers para 2000 during the test, which parapipe does not model"],
      [10, expect.stringMatching(/para 2000 is registered during the test \(line 9\)/)],
      [11, expect.stringMatching(/a js-script parapipe cannot run \(\.\/other\.js\)/)],
      [12, "pausing a node's process: not modelled by parapipe"],
      [13, "not a line zombienet's grammar accepts"],
      [14, "no check follows it"],
    ]);
  });
});

describe("zndslChecks: a wait on a late para", () => {
  it("leaves the checks after it unchecked: when they start is not known", () => {
    const c = checksOf([
      'alice: reports substrate_block_height{status="finalized"} is at least 10 within 100 seconds',
      "alice: parachain 2200 block height is at least 10 within 200 seconds",
      "sleep 5 seconds",
      'alice: reports substrate_block_height{status="finalized"} is at least 35 within 100 seconds',
      "alice: parachain 2000 block height is at least 3 within 30 seconds",
    ]);
    expect(c.expect).toEqual(["relay finalized height >= 10 within 100 s"]);
    const unknown =
      "it starts when line 2 ends, a wait of up to 200 s on para 2200 (registered after genesis) that parapipe does not check, so when it starts is not known";
    expect(c.notChecked.map((n) => [n.line, n.reason])).toEqual([
      [2, expect.stringMatching(/^para 2200 is registered after genesis/)],
      [3, unknown],
      [4, unknown],
      [5, unknown],
    ]);
  });

  it("so does registering a para during the test", () => {
    const c = checksOf([
      'alice: js-script ./register-para.js with "2000" within 240 seconds',
      "alice: reports block height is at least 3 within 30 seconds",
    ]);
    expect(c.expect).toEqual([]);
    expect(c.notChecked[1]?.reason).toMatch(
      /^it starts when line 1 ends, a wait of up to 240 s on para 2000/,
    );
  });
});

describe("the timed expect: grammar", () => {
  const paras = new Map([
    [2000, 1],
    [2100, 2],
  ]);
  it("parses each form and refuses what it does not know", () => {
    expect(parseExpectation("para 2000 height >= 30 within 240 s", paras)).toEqual({
      ok: true,
      value: {
        kind: "timed",
        text: "para 2000 height >= 30 within 240 s",
        subject: { type: "paraHeight", paraId: 2000 },
        op: ">=",
        value: 30,
        withinS: 240,
      },
    });
    expect(parseExpectation("para 2100 collator 1 height < 5 within 2 s", paras).ok).toBe(true);
    expect(parseExpectation("relay height >= 20 within 600 s", paras)).toMatchObject({
      ok: true,
      value: { subject: { type: "relayHeight" }, op: ">=", value: 20, withinS: 600 },
    });
    expect(parseExpectation("relay  finalized height >= 10 within 100 s", paras)).toEqual({
      ok: true,
      value: {
        kind: "timed",
        text: "relay finalized height >= 10 within 100 s",
        subject: { type: "relayFinalizedHeight" },
        op: ">=",
        value: 10,
        withinS: 100,
      },
    });
    expect(parseExpectation("relay finalised height >= 10 within 100 s", paras)).toEqual({
      ok: false,
      error: expect.stringMatching(/^expected a timed check.*"relay finalized height OP N/),
    });
    expect(parseExpectation("para 2000 registered within 60 s", paras).ok).toBe(true);
    expect(parseExpectation("wait 10 s", paras).ok).toBe(true);
    expect(parseExpectation("para 2100 collator 2 height < 5 within 2 s", paras)).toEqual({
      ok: false,
      error: expect.stringMatching(/para 2100 has 2 collators \(0\.\.1\)/),
    });
    expect(parseExpectation("para 3000 height >= 1 within 2 s", paras).ok).toBe(false);
    expect(parseExpectation("para 2000 height >= 1 within 2 minutes", paras)).toEqual({
      ok: false,
      error: expect.stringMatching(/^expected a timed check/),
    });
  });
});

/**
 * A timeline with relay blocks every 6 s (no delay), para 2000 one block per relay block from
 * block 2, and finality 3 blocks behind the best block (block N finalizes N - 3).
 */
function steady(totalRelayBlocks: number): Timeline {
  const blocks = [];
  const events = [];
  for (let n = 1; n < totalRelayBlocks; n++) {
    const headHash = `0x${n.toString(16).padStart(64, "0")}`;
    blocks.push({
      paraId: 2000,
      headHash,
      number: n,
      author: "c2000-0",
      authoredAtUs: (n * 6000 - 4000) * 1000,
    });
    events.push({
      relayBlock: n + 1,
      type: "CandidateIncluded" as const,
      paraId: 2000,
      candidateHash: headHash,
      core: 0,
      headHash,
    });
  }
  return buildTimeline({
    slotDurationMs: 6000,
    blockArrivalDelayMs: 0,
    totalRelayBlocks,
    events,
    blocks,
    finality: Array.from({ length: totalRelayBlocks }, (_, i) => ({
      relayBlock: i + 1,
      lagBlocks: Math.min(i + 1, 3),
    })),
    collatorActor: (p, i) => `c${p}-${i}`,
  });
}

describe("timed checks: polled in virtual time as zombienet v1 polls", () => {
  const t = steady(100);
  const check = (text: string): TimedExpectation => {
    const p = parseExpectation(text, new Map([[2000, 1]]));
    if (!p.ok) throw new Error(p.error);
    return p.value as TimedExpectation;
  };

  it("the timeline: relay height, para head (included one relay block later), collator height", () => {
    expect([0, 5999, 6000, 12000, 599_999, 10_000_000].map(t.relayHeightAt)).toEqual([
      0, 0, 1, 2, 99, 100,
    ]);
    expect([6000, 12000, 18000].map((ms) => t.paraHeightAt(2000, ms))).toEqual([0, 1, 2]);
    expect([1999, 2000, 8000].map((ms) => t.collatorHeightAt(2000, 0, ms))).toEqual([0, 1, 2]);
    expect(t.endMs).toBe(600_000);
  });

  it("the timeline: the finalized height is the last finality sample's, from its block's production", () => {
    expect(
      [0, 17_999, 18_000, 23_999, 24_000, 30_000, 600_000, 10_000_000].map(
        t.relayFinalizedHeightAt,
      ),
    ).toEqual([0, 0, 0, 0, 1, 2, 97, 97]);
  });

  it("relay finalized height: a metric, read at once then every second", () => {
    // Finalized 10 from block 13 (78 s): reads at 0, 1, ..., 78.
    expect(judgeTimed(check("relay finalized height >= 10 within 100 s"), t, 0)).toEqual({
      check: "relay finalized height >= 10 within 100 s",
      pass: true,
      measured: 10,
      atMs: 78_000,
    });
    // The best height reaches 10 three blocks earlier.
    expect(judgeTimed(check("relay height >= 10 within 100 s"), t, 0).atMs).toBe(60_000);
    expect(judgeTimed(check("relay finalized height >= 10 within 60 s"), t, 0)).toEqual({
      check: "relay finalized height >= 10 within 60 s",
      pass: false,
      measured: 7,
      atMs: 60_000,
    });
    expect(judgeTimed(check("relay finalized height < 3 within 10 s"), t, 30_500)).toMatchObject({
      pass: true,
      measured: 2,
      atMs: 30_500,
    });
  });

  it("para height: reads every 2 s from 2 s in, stops at the first read reaching the target", () => {
    // Height h is on chain from (h + 1) x 6 s: 30 from 186 s; reads at 2, 4, ..., 186.
    expect(judgeTimed(check("para 2000 height >= 30 within 240 s"), t, 0)).toEqual({
      check: "para 2000 height >= 30 within 240 s",
      pass: true,
      measured: 30,
      atMs: 186_000,
    });
    // From 1 s: reads at 3, 5, ..., 187.
    expect(judgeTimed(check("para 2000 height >= 30 within 240 s"), t, 1000).atMs).toBe(187_000);
  });

  it("para height: fails at the window's end with the last value read", () => {
    expect(judgeTimed(check("para 2000 height >= 30 within 100 s"), t, 0)).toEqual({
      check: "para 2000 height >= 30 within 100 s",
      pass: false,
      measured: 15,
      atMs: 100_000,
    });
  });

  it("lower than: reads until the window ends (a read at the deadline counts), then compares", () => {
    expect(judgeTimed(check("para 2000 height < 35 within 2 s"), t, 186_000)).toEqual({
      check: "para 2000 height < 35 within 2 s",
      pass: true,
      measured: 30,
      atMs: 188_000,
    });
  });

  it("lower than fails when the height reaches the target within the window", () => {
    const v = judgeTimed(check("para 2000 height < 31 within 10 s"), t, 186_000);
    expect(v).toEqual({
      check: "para 2000 height < 31 within 10 s",
      pass: false,
      measured: 31,
      atMs: 192_000,
    });
  });

  it("a window shorter than the first read compares 0, as zombienet does", () => {
    const v = judgeTimed(check("para 2000 height >= 1 within 1 s"), t, 60_000);
    expect(v).toMatchObject({ pass: false, measured: null, atMs: 61_000 });
    expect(v.note).toMatch(/zombienet compares 0/);
  });

  it("a metric reads at once, then every second", () => {
    expect(judgeTimed(check("relay height >= 20 within 600 s"), t, 130_000)).toMatchObject({
      pass: true,
      measured: 21,
      atMs: 130_000,
    });
    expect(judgeTimed(check("relay height >= 20 within 600 s"), t, 0)).toMatchObject({
      pass: true,
      measured: 20,
      atMs: 120_000,
    });
    expect(judgeTimed(check("relay height >= 20 within 10 s"), t, 0)).toMatchObject({
      pass: false,
      measured: 1,
      atMs: 10_000,
    });
  });

  it("registered takes the first read (2 s), wait its seconds; a run too short decides nothing", () => {
    expect(judgeTimed(check("para 2000 registered within 60 s"), t, 7000)).toMatchObject({
      pass: true,
      atMs: 9000,
    });
    expect(judgeTimed(check("wait 10 s"), t, 7000)).toMatchObject({ pass: true, atMs: 17_000 });
    const late = judgeTimed(check("para 2000 height >= 500 within 900 s"), t, 0);
    expect(late).toMatchObject({ pass: false, measured: 99, atMs: 600_000 });
    expect(late.note).toMatch(/the run ended at 600 s, before this check was decided/);
  });

  it("judgeAll runs the timed checks in order, each from where the previous ended", () => {
    const verdicts = judgeAll(
      [
        check("para 2000 registered within 60 s"),
        check("para 2000 height >= 10 within 240 s"),
        check("para 2000 height >= 11 within 240 s"),
        check("wait 30 s"),
        check("relay height >= 1 within 1 s"),
      ],
      {} as never,
      t,
    );
    expect(verdicts.map((v) => v.atMs)).toEqual([2000, 66_000, 72_000, 102_000, 102_000]);
    expect(verdicts.every((v) => v.pass)).toBe(true);
  });
});
