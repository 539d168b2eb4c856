/**
 * The house's layering as a checker over the import graph (docs/architecture.md, STYLE.md "The
 * house"). `checkArchitecture` is a pure function of an in-memory map `{path -> source text}`
 * (paths relative to the repository root, `src/...`) and the layer table parsed from the doc, so
 * tests plant violations in memory without touching the disk.
 *
 * Invariants:
 * - Imports are read from the TypeScript AST (never by regex), so an import written in a comment,
 *   a string or a template literal is not one. Read: `import ... from`, `import type`,
 *   `import "x"`, `export ... from`, `export * from`, `import x = require("x")`, dynamic
 *   `import("x")` and type-level `import("x").T`. Not read: `require("x")` calls (an ESM
 *   package has no `require` without `node:module`, which is itself reported), JSDoc types and
 *   triple-slash references.
 * - A file belongs to the longest folder of the table that is a prefix of its path; a file in no
 *   row is a violation, and so is an edge to a path in no row that is not a file of the map.
 * - Banned globals are references in value position (type annotations such as `d: Date` are not
 *   uses). A reference to a name declared in the same file (parameter, local, class, import) is
 *   not the global: the TypeScript binder resolves it (one program, without lib, over the files
 *   with candidate uses), so blocks, hoisting and catch clauses follow the language. A name
 *   declared only in another file (a script's top-level `var`) still counts as the global.
 * - Module state is read from the syntax of the top level: every `let` / `var` statement, and
 *   every `new Map` / `new Set` evaluated when the module loads (in an initializer, an object or
 *   array literal, a class's static member; not inside a function or an instance member), unless
 *   it is the whole initializer of a `const` annotated `ReadonlyMap` / `ReadonlySet` (a constant:
 *   nobody holds a mutable reference). `WeakMap` / `WeakSet` pass (identity memos). Not seen: a
 *   mutable array or object literal, a mutable static field, state built inside a called
 *   function (`const m = make()`): the rule catches the usual shapes, not every one.
 */
import { builtinModules } from "node:module";
import { posix } from "node:path";
import ts from "typescript";

/** One row of the layer table: a folder (or file) under `src/` and its layer number. */
export interface LayerRow {
  readonly layer: number;
  readonly folder: string;
}

export type ViolationKind =
  | "uncovered" // a file of src/ in no row of the table
  | "layer" // an import of a higher layer
  | "pair" // emulator <-> relay
  | "builtin" // node:* outside cli/ and the conformance loader
  | "global" // Date, performance, Math.random, timers, process below cli/
  | "unresolved" // an import the checker cannot place (computed dynamic import, unmapped path)
  | "room" // node rooms importing each other (optional rule)
  | "state"; // mutable module state below cli/ (top-level let/var, Map/Set built at load)

export interface Violation {
  readonly kind: ViolationKind;
  readonly file: string;
  /** One line, e.g. `src/relay/x.ts -> src/sim/y.ts (L2 imports L4)`. */
  readonly message: string;
}

/**
 * The node rooms rule: a file under `<root>/<room>` (a room is the first path segment after the
 * root, a file or a folder; `backing.ts` and `backing/` are one room) may import its own room,
 * the `shared` prefixes and strictly lower layers, nothing else of its layer.
 */
export interface RoomRule {
  readonly roots: readonly string[];
  readonly shared: readonly string[];
}

/** A piece of module state allowed by name, and why (`Policy.stateAllowed`). */
export interface StateException {
  readonly file: string;
  /** The top-level declaration holding the state (`hexMemo`). */
  readonly name: string;
  readonly reason: string;
}

export interface Policy {
  /**
   * Folders (trailing `/`) or files allowed `node:*` imports, the banned globals and module
   * state.
   */
  readonly nodeAllowed: readonly string[];
  /**
   * Module state allowed elsewhere, one declaration each; an entry that matches nothing is a
   * violation, so the list cannot outlive its exceptions.
   */
  readonly stateAllowed?: readonly StateException[];
  /** Folder pairs that never import each other, in either direction. */
  readonly forbiddenPairs: readonly (readonly [string, string])[];
  readonly rooms?: RoomRule;
}

/** Bare identifiers whose every value use is banned below `src/cli/`. */
const BANNED_IDENTIFIERS: ReadonlySet<string> = new Set([
  "Date",
  "performance",
  "process",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "queueMicrotask",
]);

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

// ---------------------------------------------------------------------------------------------
// The layer table

/**
 * The rows of the `layer | folder | what lives there` table of a markdown document. A folder
 * cell holds one or more backticked `src/...` paths; a layer may have several rows. Throws if
 * the table is missing or a folder is given two different layers.
 */
export function parseLayerTable(markdown: string): LayerRow[] {
  const lines = markdown.split("\n").map((l) => l.trim());
  const header = lines.findIndex((l) => {
    const cells = splitRow(l);
    return (
      cells.length === 3 &&
      cells[0]?.toLowerCase() === "layer" &&
      cells[1]?.toLowerCase() === "folder" &&
      cells[2]?.toLowerCase() === "what lives there"
    );
  });
  if (header < 0) throw new Error("no `| layer | folder | what lives there |` table found");
  const rows: LayerRow[] = [];
  // header + 2 skips the `|---|---|---|` separator.
  for (let i = header + 2; i < lines.length && lines[i]?.startsWith("|"); i++) {
    const line = lines[i] ?? "";
    const [layerCell = "", folderCell = ""] = splitRow(line);
    const layer = /^L(\d+)$/.exec(layerCell);
    if (layer === null)
      throw new Error(`layer table row ${line}: expected L<n>, found ${layerCell}`);
    const folders = [...folderCell.matchAll(/`(src(?:\/[^`]*)?)`/g)].map((m) =>
      (m[1] ?? "").replace(/\/+$/, ""),
    );
    if (folders.length === 0) {
      throw new Error(`layer table row ${line}: expected a backticked src/... path, found none`);
    }
    for (const folder of folders) rows.push({ layer: Number(layer[1]), folder });
  }
  const seen = new Map<string, number>();
  for (const { folder, layer } of rows) {
    const before = seen.get(folder);
    if (before !== undefined && before !== layer) {
      throw new Error(`layer table: ${folder} is in L${before} and in L${layer}`);
    }
    seen.set(folder, layer);
  }
  return rows;
}

/** Cells of a markdown table row (`\|` does not split). */
function splitRow(line: string): string[] {
  if (!line.startsWith("|")) return [];
  return line
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** True when `path` is `folder` itself or inside it (`folder` given without trailing `/`). */
function under(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** The row whose folder is the longest prefix of `path`, if any. */
export function rowOf(rows: readonly LayerRow[], path: string): LayerRow | undefined {
  let best: LayerRow | undefined;
  for (const row of rows) {
    if (under(path, row.folder) && (best === undefined || row.folder.length > best.folder.length)) {
      best = row;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Imports

export interface ImportRef {
  /** The module specifier, or `undefined` for a dynamic import with a computed argument. */
  readonly specifier: string | undefined;
  readonly line: number;
}

/** Every import and re-export specifier of a source file, in source order. */
export function importsOf(sf: ts.SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const add = (node: ts.Node, specifier: string | undefined): void => {
    out.push({ specifier, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node, node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node, node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      add(
        node,
        arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : undefined, // `import(x)`: unknown
      );
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node, node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** True for `node:x` and for bare Node builtin names (`fs`, `fs/promises`, `worker_threads`...). */
export function isNodeBuiltin(specifier: string): boolean {
  return (
    specifier.startsWith("node:") ||
    BUILTINS.has(specifier) ||
    BUILTINS.has(specifier.split("/")[0] ?? "")
  );
}

/**
 * The repository path a relative specifier names, as found in `files` (a `.js` specifier may
 * name a `.ts` file; a folder its `index.ts`); a path not in `files` is returned normalized.
 */
function resolveRelative(
  from: string,
  specifier: string,
  files: ReadonlyMap<string, string>,
): string {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [
    base,
    base.replace(/\.(m|c)?js$/, ".ts"),
    `${base}.ts`,
    posix.join(base, "index.ts"),
  ];
  return candidates.find((c) => files.has(c)) ?? base;
}

// ---------------------------------------------------------------------------------------------
// Banned globals

interface GlobalUse {
  /** What is used, e.g. `Date`, `Math.random`, `globalThis.setTimeout`. */
  readonly what: string;
  /** The identifier whose binding decides: the global if not declared in this file. */
  readonly root: ts.Identifier;
  readonly line: number;
}

/** Does `id` read a binding (rather than name a property, a declaration, a label or a type)? */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isShorthandPropertyAssignment(p)) return p.name === id; // `{ Date }` reads Date
  if (ts.isExportSpecifier(p)) {
    // `export { Date }` exports the local (or global) binding; `export { x } from "m"` does not.
    return p.parent.parent.moduleSpecifier === undefined && (p.propertyName ?? p.name) === id;
  }
  if (ts.isBindingElement(p)) return p.initializer === id;
  if (ts.isQualifiedName(p) || ts.isMetaProperty(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return p.label !== id;
  // Declaration names, property names (`x.Date`, `{ Date: 1 }`, class members), parameters.
  const named = p as { name?: ts.Node; propertyName?: ts.Node };
  return named.name !== id && named.propertyName !== id;
}

/** A type-only subtree: skipped, except `class X extends Date` whose heritage is a value. */
function isTypeOnly(node: ts.Node): boolean {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return true;
  if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node)) return true;
  if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) return true;
  if (ts.isExpressionWithTypeArguments(node)) {
    const clause = node.parent;
    return !(
      ts.isHeritageClause(clause) &&
      clause.token === ts.SyntaxKind.ExtendsKeyword &&
      ts.isClassLike(clause.parent)
    );
  }
  return ts.isTypeNode(node);
}

/** `o.name` or `o["name"]`. */
function memberOf(node: ts.Node): { object: ts.Expression; name: string } | undefined {
  if (ts.isPropertyAccessExpression(node)) return { object: node.expression, name: node.name.text };
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
    return { object: node.expression, name: node.argumentExpression.text };
  }
  return undefined;
}

/** The identifier `name` read as a value, if `expr` is one. */
function valueIdentifier(expr: ts.Node, name: string): ts.Identifier | undefined {
  return ts.isIdentifier(expr) && expr.text === name && isValueReference(expr) ? expr : undefined;
}

/**
 * The identifier deciding whether `expr` is the global `name`: `name` itself, or `globalThis`
 * in `globalThis.name` / `globalThis["name"]`.
 */
function globalRoot(expr: ts.Node, name: string): ts.Identifier | undefined {
  const member = memberOf(expr);
  if (member !== undefined && member.name === name)
    return valueIdentifier(member.object, "globalThis");
  return valueIdentifier(expr, name);
}

/** Candidate uses of banned globals, before shadowing is checked. */
function globalUsesOf(sf: ts.SourceFile): GlobalUse[] {
  const out: GlobalUse[] = [];
  const push = (what: string, root: ts.Identifier, at: ts.Node): void => {
    out.push({ what, root, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (isTypeOnly(node)) return;
    if (ts.isIdentifier(node)) {
      // `Date`, `new Date()`, `Date.now()`, `setTimeout(f)`, `process.env`, `{ performance }`
      if (BANNED_IDENTIFIERS.has(node.text) && isValueReference(node)) push(node.text, node, node);
    }
    const member = memberOf(node);
    if (member !== undefined) {
      // `globalThis.setTimeout`, `globalThis["Date"]`
      const viaGlobalThis = valueIdentifier(member.object, "globalThis");
      if (viaGlobalThis !== undefined && BANNED_IDENTIFIERS.has(member.name)) {
        push(`globalThis.${member.name}`, viaGlobalThis, node);
      }
      // `Math.random`, `Math["random"]`, `globalThis.Math.random`
      const math = member.name === "random" ? globalRoot(member.object, "Math") : undefined;
      if (math !== undefined) push("Math.random", math, node);
    }
    if (
      ts.isVariableDeclaration(node) &&
      ts.isObjectBindingPattern(node.name) &&
      node.initializer
    ) {
      // `const { random } = Math`
      const math = globalRoot(node.initializer, "Math");
      for (const el of node.name.elements) {
        const key = el.propertyName ?? el.name;
        if (math !== undefined && ts.isIdentifier(key) && key.text === "random") {
          push("Math.random", math, el);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Keeps the uses whose root identifier is not declared in its own file. The binder of a program
 * without lib knows only the files' own declarations, so a global has no symbol at all.
 */
function unshadowed(
  uses: ReadonlyMap<ts.SourceFile, GlobalUse[]>,
): Map<ts.SourceFile, GlobalUse[]> {
  const files = new Map([...uses.keys()].map((sf) => [sf.fileName, sf]));
  const host: ts.CompilerHost = {
    getSourceFile: (name) => files.get(name),
    getDefaultLibFileName: () => "/lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => files.has(name),
    readFile: () => undefined,
  };
  const program = ts.createProgram({
    rootNames: [...files.keys()],
    options: { noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ES2023 },
    host,
  });
  const checker = program.getTypeChecker();
  const out = new Map<ts.SourceFile, GlobalUse[]>();
  for (const [sf, list] of uses) {
    const kept = list.filter((use) => {
      const symbol = ts.isShorthandPropertyAssignment(use.root.parent)
        ? checker.getShorthandAssignmentValueSymbol(use.root.parent)
        : checker.getSymbolAtLocation(use.root);
      return !(symbol?.declarations ?? []).some((d) => d.getSourceFile() === sf);
    });
    out.set(sf, kept);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Module state

/** One piece of mutable module state found by `moduleStateOf`. */
export interface ModuleState {
  /** What it is: `let counter`, `const memo = new Map`, `new Set inside const CACHES`. */
  readonly what: string;
  /** The top-level declaration it belongs to (the key of an exception), if it has a name. */
  readonly name: string | undefined;
  readonly line: number;
}

/** `Map` or `Set` if `expr` names the global constructor (`Map`, `globalThis.Map`). */
function collectionOf(expr: ts.Expression): "Map" | "Set" | undefined {
  const name = ts.isIdentifier(expr)
    ? expr.text
    : ts.isPropertyAccessExpression(expr) && valueIdentifier(expr.expression, "globalThis")
      ? expr.name.text
      : undefined;
  return name === "Map" || name === "Set" ? name : undefined;
}

/** Code that does not run when the module loads: function bodies and instance members. */
function runsLater(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return true;
  if (ts.isPropertyDeclaration(node)) {
    return !(ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Static);
  }
  return isTypeOnly(node);
}

/** The name a top-level declaration other than a variable statement gives (`class C`). */
function declaredName(node: ts.Node): string | undefined {
  const named = node as { name?: ts.Node };
  return named.name !== undefined && ts.isIdentifier(named.name) ? named.name.text : undefined;
}

/** The names a binding declares (`x`, `{ a, b: [c] }`). */
function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** Is `type` `ReadonlyMap<...>` (for a `Map`) or `ReadonlySet<...>` (for a `Set`)? */
function isReadonlyOf(type: ts.TypeNode | undefined, collection: "Map" | "Set"): boolean {
  return (
    type !== undefined &&
    ts.isTypeReferenceNode(type) &&
    ts.isIdentifier(type.typeName) &&
    type.typeName.text === `Readonly${collection}`
  );
}

/** The expression inside parentheses and `!`. */
function unwrapped(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/**
 * The mutable state held by a module's top level: `let` / `var` statements and `Map` / `Set`
 * objects built when it loads, except a `ReadonlyMap` / `ReadonlySet` constant (see the header).
 */
export function moduleStateOf(sf: ts.SourceFile): ModuleState[] {
  const out: ModuleState[] = [];
  const lineOf = (node: ts.Node): number =>
    sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  /** Reports the `Map` / `Set` objects `node` builds at load; `owner`: `const x`, `class C`. */
  const visit = (node: ts.Node, name: string | undefined, owner: string | undefined): void => {
    if (runsLater(node)) return;
    if (ts.isNewExpression(node)) {
      const collection = collectionOf(node.expression);
      if (collection !== undefined) {
        const where = owner === undefined ? "" : ` inside ${owner}`;
        out.push({ what: `new ${collection}${where}`, name, line: lineOf(node) });
      }
    }
    ts.forEachChild(node, (child) => visit(child, name, owner));
  };
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement)) {
      const name = declaredName(statement);
      visit(statement, name, name === undefined ? undefined : `class ${name}`);
      continue;
    }
    const list = statement.declarationList;
    const kind =
      list.flags & ts.NodeFlags.Let ? "let" : list.flags & ts.NodeFlags.Const ? "const" : "var";
    for (const decl of list.declarations) {
      const name = bindingNames(decl.name).join(", ");
      if (kind !== "const") {
        out.push({ what: `${kind} ${name}`, name, line: lineOf(decl) });
        continue; // the declaration is the state, whatever it holds
      }
      if (decl.initializer === undefined) continue;
      const init = unwrapped(decl.initializer);
      const collection = ts.isNewExpression(init) ? collectionOf(init.expression) : undefined;
      if (collection !== undefined && ts.isNewExpression(init)) {
        if (!isReadonlyOf(decl.type, collection)) {
          out.push({ what: `const ${name} = new ${collection}`, name, line: lineOf(decl) });
        }
        for (const arg of init.arguments ?? []) visit(arg, name, `const ${name}`);
      } else {
        visit(decl.initializer, name, `const ${name}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The checker

/** The node room of a path (`src/node/core/backing`), if it lies under a room root. */
function roomOf(rule: RoomRule, path: string): string | undefined {
  for (const root of rule.roots) {
    if (path.startsWith(`${root}/`)) {
      const first = path.slice(root.length + 1).split("/")[0] ?? "";
      return `${root}/${first.replace(/\.ts$/, "")}`;
    }
  }
  return undefined;
}

function allowedNode(policy: Policy, path: string): boolean {
  return policy.nodeAllowed.some((a) => (a.endsWith("/") ? path.startsWith(a) : path === a));
}

function parse(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(`/${path}`, text, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
}

interface FileFacts {
  readonly imports: readonly ImportRef[];
  readonly moduleState: readonly ModuleState[];
  /** The file has candidate uses of banned globals (before shadowing). */
  readonly mayUseGlobals: boolean;
}

/**
 * What one file's text says, memoized by path and text: tests check the whole tree again for
 * every planted change, and parsing it is most of the cost.
 */
const factsCache = new Map<string, FileFacts>();

function factsOf(path: string, text: string): FileFacts {
  const key = `${path}\0${text}`;
  let facts = factsCache.get(key);
  if (facts === undefined) {
    const sf = parse(path, text);
    facts = {
      imports: importsOf(sf),
      moduleState: moduleStateOf(sf),
      mayUseGlobals: globalUsesOf(sf).length > 0,
    };
    factsCache.set(key, facts);
  }
  return facts;
}

/**
 * All violations of the house rules by the `.ts` files of `files` under `src/`, sorted and
 * without duplicates (an edge imported twice is one violation).
 */
export function checkArchitecture(
  files: ReadonlyMap<string, string>,
  rows: readonly LayerRow[],
  policy: Policy,
): Violation[] {
  const out = new Map<string, Violation>();
  const report = (kind: ViolationKind, file: string, message: string): void => {
    out.set(message, { kind, file, message });
  };
  const paths = [...files.keys()].filter((p) => p.startsWith("src/") && p.endsWith(".ts")).sort();
  const globalUses = new Map<ts.SourceFile, GlobalUse[]>();
  const pathOf = new Map<ts.SourceFile, string>();
  const stateAllowed = policy.stateAllowed ?? [];
  const usedExceptions = new Set<StateException>();

  for (const from of paths) {
    const text = files.get(from) ?? "";
    const facts = factsOf(from, text);
    const fromRow = rowOf(rows, from);
    if (fromRow === undefined) {
      report("uncovered", from, `${from} is in no row of the layer table (docs/architecture.md)`);
    }
    const nodeOk = allowedNode(policy, from);
    if (!nodeOk) {
      for (const state of facts.moduleState) {
        const exception = stateAllowed.find((e) => e.file === from && e.name === state.name);
        if (exception !== undefined) {
          usedExceptions.add(exception);
          continue;
        }
        report(
          "state",
          from,
          `${from}:${state.line} holds module state: ${state.what} (banned outside ${policy.nodeAllowed.join(" and ")})`,
        );
      }
    }
    if (!nodeOk && facts.mayUseGlobals) {
      // A fresh tree: the program that resolves shadowing binds it.
      const sf = parse(from, text);
      globalUses.set(sf, globalUsesOf(sf));
      pathOf.set(sf, from);
    }

    for (const { specifier, line } of facts.imports) {
      if (specifier === undefined) {
        report("unresolved", from, `${from}:${line} import() of a computed specifier`);
        continue;
      }
      if (!specifier.startsWith(".") && !specifier.startsWith("/")) {
        if (isNodeBuiltin(specifier) && !nodeOk) {
          report(
            "builtin",
            from,
            `${from} -> ${specifier} (node builtin outside ${policy.nodeAllowed.join(" and ")})`,
          );
        }
        continue; // a bare package
      }
      const to = specifier.startsWith("/")
        ? posix.normalize(specifier.slice(1))
        : resolveRelative(from, specifier, files);
      const toRow = rowOf(rows, to);
      if (toRow === undefined) {
        if (!files.has(to)) {
          report("unresolved", from, `${from} -> ${to} (target is in no row of the layer table)`);
        }
        continue; // an existing unmapped file is reported as such
      }
      if (fromRow === undefined) continue;
      if (toRow.layer > fromRow.layer) {
        report("layer", from, `${from} -> ${to} (L${fromRow.layer} imports L${toRow.layer})`);
      }
      for (const [a, b] of policy.forbiddenPairs) {
        if ((under(from, a) && under(to, b)) || (under(from, b) && under(to, a))) {
          report("pair", from, `${from} -> ${to} (${a} and ${b} never import each other)`);
        }
      }
      const rooms = policy.rooms;
      const room = rooms && roomOf(rooms, from);
      if (rooms !== undefined && room !== undefined) {
        const toRoom = roomOf(rooms, to);
        const shared = rooms.shared.some((s) => to.startsWith(s));
        if (toRoom !== undefined && toRoom !== room) {
          report("room", from, `${from} -> ${to} (room ${room} imports room ${toRoom})`);
        } else if (toRoom === undefined && !shared && toRow.layer >= fromRow.layer) {
          report(
            "room",
            from,
            `${from} -> ${to} (room ${room} imports L${toRow.layer} outside its room, ${rooms.shared.join(", ")})`,
          );
        }
      }
    }
  }

  for (const [sf, uses] of unshadowed(globalUses)) {
    const from = pathOf.get(sf) ?? sf.fileName;
    for (const use of uses) {
      report(
        "global",
        from,
        `${from}:${use.line} uses ${use.what} (banned outside ${policy.nodeAllowed.join(" and ")})`,
      );
    }
  }
  for (const e of stateAllowed) {
    if (!usedExceptions.has(e)) {
      report(
        "state",
        e.file,
        `${e.file}: the module-state exception for ${e.name} matches nothing (remove it)`,
      );
    }
  }
  return [...out.values()].sort((x, y) =>
    x.message < y.message ? -1 : x.message > y.message ? 1 : 0,
  );
}
