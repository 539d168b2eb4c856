/**
 * The house's layering, enforced on the import graph of every `.ts` file under `src/` (walked,
 * not reached from an entry point). The layers come from the table of docs/architecture.md, so
 * the doc and this test cannot drift: adding a folder means adding its row.
 *
 * Rules (STYLE.md "The house", docs/architecture.md):
 * - a file imports only its own layer or lower ones (`import type` and re-exports included);
 * - `src/emulator` and `src/relay` never import each other;
 * - `node:*` and bare builtins (`fs`, `crypto`, `worker_threads`...) only in `src/cli/` and the
 *   conformance loader, which reads files; the same two may use `Date`, `performance`,
 *   `Math.random`, timers and `process`, nobody else (a name declared in the file, such as a
 *   parameter called `performance`, is not the global; a type annotation `d: Date` is no use);
 * - outside the same two, a module's top level holds no mutable state: no `let` / `var`, no
 *   `Map` / `Set` built at load but a `ReadonlyMap` / `ReadonlySet` constant; `WeakMap` /
 *   `WeakSet` identity memos are allowed, and the exceptions are listed by name in `HOUSE`
 *   (docs/architecture.md "Module state");
 * - the node rooms import no other room (see the last `describe`).
 *
 * The checker (`architecture/import-graph.ts`) is a pure function of `{path -> text}`, so the
 * tests below plant violations in memory and never write to src/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  checkArchitecture,
  importsOf,
  type LayerRow,
  moduleStateOf,
  type Policy,
  parseLayerTable,
  type RoomRule,
  rowOf,
} from "./architecture/import-graph.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** What the house allows where (the folders come from the doc's table, these from its prose). */
const HOUSE: Policy = {
  nodeAllowed: ["src/cli/", "src/conformance/load.ts"],
  forbiddenPairs: [["src/emulator", "src/relay"]],
  // Module state allowed below src/cli/, each with its reason (docs/architecture.md "Module
  // state"). An entry that no longer matches anything fails the tree test: remove it then.
  stateAllowed: [
    {
      file: "src/primitives/hashing.ts",
      name: "fastBlake2b256",
      reason:
        "the WebAssembly BLAKE2b-256 (hash-wasm), installed once by useFastHashing() because " +
        "WebAssembly compiles asynchronously; it computes what noble computes (a test checks " +
        "random inputs), so it changes the speed of a run, never its result",
    },
    {
      file: "src/primitives/hashing.ts",
      name: "hexMemo",
      reason:
        "hashHex's memo, keyed by content (a hex string has no identity for a WeakMap), bounded, " +
        "read only for the hash it memoises; without it a Polkadot-sized relay block costs ~8% more",
    },
  ],
};

/** Every file under `src/`, keyed `src/...` with `/` separators. */
function readTree(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(`${ROOT}${dir}`, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(path, readFileSync(`${ROOT}${path}`, "utf8"));
    }
  };
  walk("src");
  return files;
}

const rows = parseLayerTable(readFileSync(`${ROOT}docs/architecture.md`, "utf8"));
const tree = readTree();

function messagesOf(files: ReadonlyMap<string, string>, policy: Policy = HOUSE): string[] {
  return checkArchitecture(files, rows, policy).map((v) => v.message);
}

const baseline = messagesOf(tree);

/** The violations a change of the tree adds to those of the real tree. */
function addedBy(changes: Record<string, string>): string[] {
  const files = new Map(tree);
  for (const [path, text] of Object.entries(changes)) files.set(path, text);
  return messagesOf(files).filter((m) => !baseline.includes(m));
}

/** The text of an existing file (the test fails here if the refactoring moved it). */
function existing(path: string): string {
  const text = tree.get(path);
  if (text === undefined) throw new Error(`${path} is no longer in src/: pick another file`);
  return text;
}

function layer(path: string): string {
  const row = rowOf(rows, path);
  if (row === undefined) throw new Error(`${path} is in no row of the layer table`);
  return `L${row.layer}`;
}

function listing(title: string, lines: readonly string[]): string {
  return `${title} (${lines.length}):\n  ${lines.join("\n  ")}\n`;
}

describe("architecture: the layers of docs/architecture.md", () => {
  it("the tree of src/ has no violations", () => {
    expect(tree.size).toBeGreaterThan(50);
    expect(baseline, listing("architecture violations", baseline)).toEqual([]);
  });

  it("every folder of the table exists", () => {
    const missing = [...new Set(rows.map((r) => r.folder))].filter(
      (folder) => ![...tree.keys()].some((p) => p === folder || p.startsWith(`${folder}/`)),
    );
    expect(missing, listing("table rows naming no file of src/", missing)).toEqual([]);
  });

  it("reports a new lib file importing the simulator", () => {
    expect(addedBy({ "src/lib/planted.ts": `import { World } from "../sim/world.ts";\n` })).toEqual(
      [`src/lib/planted.ts -> src/sim/world.ts (${layer("src/lib")} imports ${layer("src/sim")})`],
    );
  });

  it("reports a re-export, in a new or an existing lib file", () => {
    const reexport = `export { World } from "../sim/world.ts";\n`;
    const edge = (from: string): string =>
      `${from} -> src/sim/world.ts (${layer("src/lib")} imports ${layer("src/sim")})`;
    expect(addedBy({ "src/lib/planted.ts": reexport })).toEqual([edge("src/lib/planted.ts")]);
    expect(addedBy({ "src/lib/hex.ts": `${existing("src/lib/hex.ts")}\n${reexport}` })).toEqual([
      edge("src/lib/hex.ts"),
    ]);
    expect(addedBy({ "src/lib/hex.ts": `export * from "../sim/world.ts";\n` })).toEqual([
      edge("src/lib/hex.ts"),
    ]);
  });

  it("reports Math.random planted into an existing relay file", () => {
    const text = existing("src/relay/scheduler.ts");
    const line = text.split("\n").length + 1;
    expect(addedBy({ "src/relay/scheduler.ts": `${text}\nconst x = Math.random();\n` })).toEqual([
      `src/relay/scheduler.ts:${line} uses Math.random (banned outside src/cli/ and src/conformance/load.ts)`,
    ]);
  });

  it("reports module state planted into an existing relay file, and allows memos and constants", () => {
    const text = existing("src/relay/scheduler.ts");
    const line = text.split("\n").length + 1;
    const planted = [
      "let counter = 0;",
      "const memo = new Map();",
      "const ids = new WeakMap<object, number>();", // an identity memo: fine
      `const CODES: ReadonlySet<string> = new Set(["a"]);`, // a constant: fine
      "export function f() { let n = 0; const m = new Map(); m.set(n++, 1); return m; }",
      "class K { cache = new Set<number>(); }", // per instance: fine
    ].join("\n");
    const banned = "banned outside src/cli/ and src/conformance/load.ts";
    expect(addedBy({ "src/relay/scheduler.ts": `${text}\n${planted}\n` })).toEqual([
      `src/relay/scheduler.ts:${line} holds module state: let counter (${banned})`,
      `src/relay/scheduler.ts:${line + 1} holds module state: const memo = new Map (${banned})`,
    ]);
    const allowed = "let provider: string | undefined;\nconst memo = new Map();\n";
    expect(addedBy({ "src/cli/planted.ts": allowed, "src/conformance/load.ts": allowed })).toEqual(
      [],
    );
  });

  it("reports relay and emulator importing each other, either way", () => {
    const relay = existing("src/relay/scheduler.ts");
    expect(
      addedBy({
        "src/relay/scheduler.ts": `import { x } from "../emulator/inclusion-emulator.ts";\n${relay}`,
      }),
    ).toEqual([
      "src/relay/scheduler.ts -> src/emulator/inclusion-emulator.ts (src/emulator and src/relay never import each other)",
    ]);
    expect(
      addedBy({ "src/emulator/planted.ts": `import type { X } from "../relay/scheduler.ts";\n` }),
    ).toEqual([
      "src/emulator/planted.ts -> src/relay/scheduler.ts (src/emulator and src/relay never import each other)",
    ]);
  });

  it("reports node builtins outside cli/ and the conformance loader", () => {
    const builtin = (spec: string): string =>
      `src/sim/planted.ts -> ${spec} (node builtin outside src/cli/ and src/conformance/load.ts)`;
    expect(
      addedBy({
        "src/sim/planted.ts": [
          `import { readFileSync } from "node:fs";`,
          `import { randomBytes } from "crypto";`,
          `import { Worker } from "worker_threads";`,
          `import { readFile } from "fs/promises";`,
          `import { parse } from "yaml";`, // a package: fine
        ].join("\n"),
      }),
    ).toEqual(["node:fs", "crypto", "fs/promises", "worker_threads"].map(builtin).sort());
    const allowed = `import { readFileSync } from "node:fs";\nexport const t = Date.now();\n`;
    expect(addedBy({ "src/cli/planted.ts": allowed, "src/conformance/load.ts": allowed })).toEqual(
      [],
    );
    expect(addedBy({ "src/conformance/planted.ts": allowed })).toEqual([
      "src/conformance/planted.ts -> node:fs (node builtin outside src/cli/ and src/conformance/load.ts)",
      "src/conformance/planted.ts:2 uses Date (banned outside src/cli/ and src/conformance/load.ts)",
    ]);
  });

  it("reports a file in no row of the table", () => {
    expect(addedBy({ "src/unmapped/thing.ts": "export const x = 1;\n" })).toEqual([
      "src/unmapped/thing.ts is in no row of the layer table (docs/architecture.md)",
    ]);
  });

  it("reports a dynamic import it cannot place", () => {
    expect(
      addedBy({ "src/lib/planted.ts": "export const m = (p: string) => import(p);\n" }),
    ).toEqual(["src/lib/planted.ts:1 import() of a computed specifier"]);
  });
});

describe("architecture: the layer table parser", () => {
  const doc = [
    "# Doc",
    "",
    "| layer | folder | what lives there |",
    "|---|---|---|",
    "| L0 | `src/lib` | helpers, `notAPath` |",
    "| L3 | `src/node`, `src/actors/` | a row naming two folders |",
    "| L3 | `src/node` (cont.) | a layer on two rows |",
    "| L1 | `src/node/util` | a sub-folder: the longest prefix wins |",
    "",
    "| layer | folder | what lives there |",
  ].join("\n");

  it("reads every backticked src/ path of the folder column", () => {
    const table: LayerRow[] = parseLayerTable(doc);
    expect(table).toEqual([
      { layer: 0, folder: "src/lib" },
      { layer: 3, folder: "src/node" },
      { layer: 3, folder: "src/actors" },
      { layer: 3, folder: "src/node" },
      { layer: 1, folder: "src/node/util" },
    ]);
    expect(rowOf(table, "src/node/util/x.ts")?.layer).toBe(1);
    expect(rowOf(table, "src/node/utility.ts")?.layer).toBe(3);
    expect(rowOf(table, "src/library/x.ts")).toBeUndefined();
  });

  it("refuses a missing table, a row without a path and a folder in two layers", () => {
    expect(() => parseLayerTable("# nothing here")).toThrow(/no `\| layer \| folder/);
    expect(() => parseLayerTable(doc.replace("`src/lib`", "lib"))).toThrow(
      /expected a backticked src\/\.\.\. path, found none/,
    );
    expect(() =>
      parseLayerTable(doc.replace("| L3 | `src/node` (cont.)", "| L4 | `src/node`")),
    ).toThrow(/src\/node is in L3 and in L4/);
  });
});

describe("architecture: reading imports, globals and module state from the AST", () => {
  const source = [
    `// import { a } from "../comment.ts"; Date.now(); Math.random()`,
    `/* export * from "../block-comment.ts"; */`,
    `const s = 'import x from "../string.ts"; setTimeout(f)';`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal
    'const t = `import("../template.ts") ${s} performance.now()`;',
    `import { a } from "./a.ts";`,
    `import type { B } from "./b.ts";`,
    `import "./side-effect.ts";`,
    `export { c } from "./c.ts";`,
    `export type { D } from "./d.ts";`,
    `export * from "./e.ts";`,
    `export * as f from "./f.ts";`,
    `const g = await import("./g.ts");`,
    `type H = import("./h.ts").H;`,
    `let i: typeof import("./i.ts");`,
  ].join("\n");

  it("finds every import form and nothing in comments, strings or templates", () => {
    const sf = ts.createSourceFile("/x.ts", source, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
    expect(importsOf(sf).map((i) => i.specifier)).toEqual(
      ["a", "b", "side-effect", "c", "d", "e", "f", "g", "h", "i"].map((n) => `./${n}.ts`),
    );
  });

  it("flags value uses of the banned globals, not names declared in the file nor types", () => {
    const uses = [
      "export const a = Date.now();",
      "export const b = new Date(0);",
      "export const c = Math.random();",
      `export const d = Math["random"]();`,
      "export const e = globalThis.setTimeout;",
      "export const f = performance.now();",
      "export const g = process.env;",
      "export const h = { queueMicrotask };",
      "setInterval(() => {}, 1);",
      "setImmediate(() => {});",
      "const { random } = Math;",
    ];
    const decoys = [
      "export function p(performance: { now(): number }) { return performance.now(); }",
      "export const q = (setTimeout: (f: () => void) => void) => setTimeout(() => {});",
      "export const r = { Date: 1, performance: 2 };",
      "export const s = (x: { Date: number; random: number }) => x.Date + x.random;",
      "export let u: Date | undefined;",
      "export class V { setTimeout(): void {} }",
      "export function w() { const Math = { random: () => 4 }; return Math.random(); }",
      "export interface X { process: Date }",
      "export function y(process: number) { return { process }; }",
      "export function z() { try { return 1; } catch (setTimeout) { return setTimeout; } }",
    ];
    const text = [source, ...uses, ...decoys].join("\n");
    const first = source.split("\n").length + 1;
    const found = checkArchitecture(new Map([["src/lib/planted.ts", text]]), rows, HOUSE)
      .filter((v) => v.kind === "global")
      .map((v) => v.message.replace(/ \(banned .*\)$/, ""));
    const what = [
      "Date",
      "Date",
      "Math.random",
      "Math.random",
      "globalThis.setTimeout",
      "performance",
      "process",
      "queueMicrotask",
      "setInterval",
      "setImmediate",
      "Math.random",
    ];
    expect(found).toEqual(what.map((w, i) => `src/lib/planted.ts:${first + i} uses ${w}`).sort());
  });

  it("finds top-level let, var and Map / Set built at load, not memos, constants nor functions", () => {
    const flagged = [
      "let a = 0;",
      "export let b: number | undefined;",
      "var c = [];",
      "let { d, e: [f] } = { d: 1, e: [2] };",
      "let g = new Map();", // one finding: the let
      "const h = new Map<string, number>();",
      "export const i = (new Set());",
      "const j: Map<string, number> = new globalThis.Map();",
      "const k = new Map() as ReadonlyMap<string, number>;", // a cast is not a constant
      "const l = { memo: new Map() };",
      "const m: ReadonlyMap<string, Set<number>> = new Map([['x', new Set()]]);",
      "export class N { static cache = new Set(); }",
      "const o: ReadonlySet<number> = new Map();", // the wrong read-only type
    ];
    const allowed = [
      "const p = new WeakMap<object, number>();",
      "const q = new WeakSet<object>();",
      "const r: ReadonlyMap<string, number> = new Map([['x', 1]]);",
      "export const s: ReadonlySet<string> = new Set(['a']);",
      "const t = () => new Map();",
      "export function u() { let x = 0; var y = new Set(); return x + y.size; }",
      "class V { cache = new Map(); constructor() { const m = new Map(); } get w() { return new Set(); } }",
      "type X = Map<string, number>;",
      "const y = 1;",
    ];
    const sf = ts.createSourceFile(
      "/x.ts",
      [...flagged, ...allowed].join("\n"),
      ts.ScriptTarget.ES2023,
      true,
      ts.ScriptKind.TS,
    );
    expect(moduleStateOf(sf).map((s) => `${s.line} ${s.what} [${s.name}]`)).toEqual([
      "1 let a [a]",
      "2 let b [b]",
      "3 var c [c]",
      "4 let d, f [d, f]",
      "5 let g [g]",
      "6 const h = new Map [h]",
      "7 const i = new Set [i]",
      "8 const j = new Map [j]",
      "9 new Map inside const k [k]",
      "10 new Map inside const l [l]",
      "11 new Set inside const m [m]",
      "12 new Set inside class N [N]",
      "13 const o = new Map [o]",
    ]);
  });

  it("allows module state listed by file and name, and reports an entry that matches nothing", () => {
    const text = "export const memo = new Map<string, string>();\nlet other = 0;\n";
    const policy: Policy = {
      ...HOUSE,
      stateAllowed: [
        { file: "src/lib/planted.ts", name: "memo", reason: "planted" },
        { file: "src/lib/planted.ts", name: "gone", reason: "planted" },
        { file: "src/lib/other.ts", name: "other", reason: "another file" },
      ],
    };
    const found = checkArchitecture(new Map([["src/lib/planted.ts", text]]), rows, policy)
      .filter((v) => v.kind === "state")
      .map((v) => v.message);
    expect(found).toEqual([
      "src/lib/other.ts: the module-state exception for other matches nothing (remove it)",
      "src/lib/planted.ts: the module-state exception for gone matches nothing (remove it)",
      "src/lib/planted.ts:2 holds module state: let other (banned outside src/cli/ and src/conformance/load.ts)",
    ]);
  });
});

/**
 * The node rooms (polkadot-sdk's crates): a file under `src/node/core/<room>` or
 * `src/node/network/<room>` (a room is the first path segment there, a file or a folder;
 * `backing.ts` and `backing/` are one room) imports its own room, `src/node/util/`,
 * `src/node/subsystem-types*` and lower layers, not another room nor anything else of its layer.
 */
describe("architecture: node rooms", () => {
  const NODE_ROOMS: RoomRule = {
    roots: ["src/node/core", "src/node/network"],
    shared: ["src/node/util/", "src/node/subsystem-types"],
  };

  const withRooms: Policy = { ...HOUSE, rooms: NODE_ROOMS };
  const roomViolations = (files: ReadonlyMap<string, string>): string[] =>
    checkArchitecture(files, rows, withRooms)
      .filter((v) => v.kind === "room")
      .map((v) => v.message);

  it("every room has its own row in the table (one line per room)", () => {
    const rooms = new Set<string>();
    for (const path of tree.keys()) {
      for (const root of NODE_ROOMS.roots) {
        if (!path.startsWith(`${root}/`)) continue;
        const first = path.slice(root.length + 1).split("/")[0]!;
        rooms.add(`${root}/${first}`);
      }
    }
    const folders = new Set(rows.map((r) => r.folder));
    const missing = [...rooms].filter((room) => !folders.has(room)).sort();
    expect(rooms.size).toBeGreaterThanOrEqual(10);
    expect(missing, listing("node rooms without a row in docs/architecture.md", missing)).toEqual(
      [],
    );
  });

  it("no room imports another", () => {
    const found = roomViolations(tree);
    expect(found, listing("node rooms: violations", found)).toEqual([]);
  });

  it("reports a room importing another, and allows its own room, util and lower layers", () => {
    const planted = new Map(tree);
    planted.set(
      "src/node/core/planted/a.ts",
      [
        `import { b } from "./b.ts";`,
        `import { c } from "../planted.ts";`,
        `import { d } from "../../util/block-context.ts";`,
        `import type { E } from "../../subsystem-types.ts";`,
        `import { f } from "../../../lib/hex.ts";`,
        `import { g } from "../backing/backing.ts";`,
        `import { h } from "../../network/collator-protocol/collator-protocol.ts";`,
        `import { i } from "../../validator.ts";`,
      ].join("\n"),
    );
    const before = roomViolations(tree);
    const added = roomViolations(planted).filter((m) => !before.includes(m));
    const from = "src/node/core/planted/a.ts";
    expect(added).toEqual([
      `${from} -> src/node/core/backing/backing.ts (room src/node/core/planted imports room src/node/core/backing)`,
      `${from} -> src/node/network/collator-protocol/collator-protocol.ts (room src/node/core/planted imports room src/node/network/collator-protocol)`,
      `${from} -> src/node/validator.ts (room src/node/core/planted imports ${layer("src/node/validator.ts")} outside its room, src/node/util/, src/node/subsystem-types)`,
    ]);
  });
});
