/**
 * The nunjucks templates of a zombienet v1 network file (issue 19), rendered before the TOML is
 * parsed, but only those that decide the network's structure deterministically; everything else
 * is left as written or refused with its source line, never guessed. It simplifies the importer:
 * it parses plain TOML and still reports the source's line numbers (`sourceLine`).
 *
 * - `{% for NAME in range(...) %}` ... `{% endfor %}` with integer literals (Python / nunjucks
 *   semantics, a step of 0 refused), nested or inline; a tag alone on its line takes the line
 *   with it. `{{ NAME }}` of an enclosing loop is rendered everywhere in the body, strings too.
 * - `{{ NAME | default(LIT) }}` outside strings is rendered as LIT, as nunjucks prints it (a
 *   string as a TOML basic string): a variable's default, never the environment, so a run on CI
 *   and on a laptop import the same network. Without a default, or any other expression: refused.
 * - `{{...}}` inside a quoted TOML string or after a TOML `#` comment is left as written: the
 *   importer lists or refuses the key holding it; a comment cannot change the parsed network.
 * - `{# ... #}` (closed on its line) is removed. Any other `{% ... %}` tag (if, set, include...)
 *   is refused, in strings and TOML comments too: nunjucks runs it there as well, and it can drop
 *   or repeat the lines around it. Whitespace-control dashes (`{%-`, `-}}`) are read as plain.
 */
import { err, ok, type Result } from "../../lib/result.ts";

export interface Rendered {
  /** The rendered text. */
  readonly text: string;
  /** For each line of `text` (index 0 = line 1), the 1-based line of the source it came from. */
  readonly sourceLine: readonly number[];
}

export interface TemplateError {
  readonly line: number;
  readonly reason: string;
}

type Node =
  | { readonly kind: "text"; readonly text: string; readonly line: number }
  | { readonly kind: "var"; readonly name: string; readonly line: number }
  | ForNode;
interface ForNode {
  readonly kind: "for";
  readonly name: string;
  readonly values: readonly number[];
  readonly body: Node[];
}

/** How many times loops (nested ones multiplied) may repeat a body. */
const MAX_REPEATS = 10_000;
const NAME = String.raw`[A-Za-z_]\w*`;
const INT = String.raw`(-?\d+)`;
const FOR_RANGE = new RegExp(
  String.raw`^for\s+(${NAME})\s+in\s+range\(\s*${INT}\s*(?:,\s*${INT}\s*(?:,\s*${INT}\s*)?)?\)$`,
);
const LITERAL = String.raw`-?\d+(?:\.\d+)?|[Tt]rue|[Ff]alse|"[^"\\]*"|'[^'\\]*'`;
const EXPRESSION = new RegExp(
  String.raw`^(${NAME})(?:\s*\|\s*default\(\s*(?:value\s*=\s*)?(${LITERAL})\s*\))?$`,
);
/** A line holding nothing but `{% ... %}` tags and whitespace. */
const TAGS_ONLY = /^\s*(?:\{%.*?%\}\s*)+$/;
const CLOSER: Readonly<Record<string, string>> = { "{{": "}}", "{%": "%}", "{#": "#}" };

/** `A, A+S, ...` stopping before `B`, or an error; `range(B)` is `range(0, B)`. */
function rangeOf(args: (string | undefined)[]): Result<number[], string> {
  const [a, b, s] =
    args[1] === undefined ? [0, Number(args[0]), 1] : args.map((x) => Number(x ?? 1));
  if (![a, b, s].every((x) => Number.isSafeInteger(x))) return err("a range bound too large");
  if (s === 0) return err("range(...) with a step of 0");
  const count = Math.max(0, Math.ceil((b! - a!) / s!));
  if (count > MAX_REPEATS) return err(`a range of ${count} values (at most ${MAX_REPEATS})`);
  return ok(Array.from({ length: count }, (_, i) => a! + i * s!));
}

/** A default as nunjucks prints it, in TOML: numbers as JS prints them, strings double-quoted. */
function literalText(lit: string): string {
  if (lit.startsWith('"') || lit.startsWith("'")) return JSON.stringify(lit.slice(1, -1));
  if (/^[TtFf]/.test(lit)) return lit.toLowerCase();
  return String(Number(lit));
}

/** A template as written, for a message. */
const quote = (t: string): string => `\`${t.length > 60 ? `${t.slice(0, 57)}...` : t}\``;

/** Render the templates of a zombienet network file (see the module header). Pure. */
export function renderTemplates(source: string): Result<Rendered, TemplateError> {
  const lines = source.split("\n");
  const root: Node[] = [];
  const stack: { node: ForNode; line: number; repeats: number }[] = [];
  const body = (): Node[] => stack.at(-1)?.node.body ?? root;
  const isLoopVar = (name: string): boolean => stack.some((s) => s.node.name === name);
  let multiline: string | null = null; // `"""` or `'''` open across lines
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const refuse = (reason: string) => err({ line, reason });
    const tagsOnly = TAGS_ONLY.test(raw);
    let text = "";
    const flush = (): void => {
      if (text !== "" && !tagsOnly) body().push({ kind: "text", text, line });
      text = "";
    };
    let delimiter: string | null = multiline; // the open string's delimiter
    let comment = false;
    let pos = 0;
    while (pos < raw.length) {
      const opener = raw.slice(pos, pos + 2);
      const closer = CLOSER[opener];
      if (closer !== undefined) {
        const end = raw.indexOf(closer, pos + 2);
        const literal = delimiter !== null || comment;
        if (end < 0 && (opener !== "{{" || !literal)) {
          return refuse(`a \`${opener}\` that does not close on its line`);
        }
        if (end >= 0) {
          const full = raw.slice(pos, end + 2);
          const inner = raw
            .slice(pos + 2, end)
            .replace(/^-/, "")
            .replace(/-$/, "")
            .trim();
          pos = end + 2;
          if (opener === "{#") continue;
          if (opener === "{%") {
            if (literal) {
              return refuse(
                `${quote(full)} inside a string or a TOML comment: nunjucks runs it there too; only \`{% for %}\` over a range in the network's structure is rendered`,
              );
            }
            flush();
            if (inner === "endfor") {
              if (stack.pop() === undefined)
                return refuse("an `{% endfor %}` without its `{% for %}`");
              continue;
            }
            if (!/^for\b/.test(inner)) {
              return refuse(`${quote(full)}: only \`{% for %}\` over a range is rendered`);
            }
            const m = FOR_RANGE.exec(inner);
            if (m === null) {
              return refuse(
                `${quote(full)}: a \`{% for %}\` over something other than range(...) with integer literals`,
              );
            }
            const values = rangeOf(m.slice(2));
            if (!values.ok) return refuse(`${quote(full)}: ${values.error}`);
            const repeats = (stack.at(-1)?.repeats ?? 1) * values.value.length;
            if (repeats > MAX_REPEATS) {
              return refuse(
                `${quote(full)}: loops repeating a body ${repeats} times (at most ${MAX_REPEATS})`,
              );
            }
            const node: ForNode = { kind: "for", name: m[1]!, values: values.value, body: [] };
            body().push(node);
            stack.push({ node, line, repeats });
            continue;
          }
          const m = EXPRESSION.exec(inner);
          if (m !== null && isLoopVar(m[1]!)) {
            flush();
            body().push({ kind: "var", name: m[1]!, line });
          } else if (literal) text += full;
          else if (m?.[2] !== undefined) text += literalText(m[2]);
          else if (m !== null) {
            return refuse(
              `${quote(full)}: a variable without a default; parapipe does not read the environment (never guessed)`,
            );
          } else {
            return refuse(
              `${quote(full)}: only a loop variable or \`NAME | default(literal)\` is rendered outside strings`,
            );
          }
          continue;
        }
      }
      // Plain text: follow TOML's strings and comments.
      const ch = raw[pos]!;
      let step = 1;
      if (comment) {
        // a comment runs to the end of the line
      } else if (delimiter !== null) {
        if (ch === "\\" && delimiter.startsWith('"')) step = 2;
        else if (raw.startsWith(delimiter, pos)) {
          step = delimiter.length;
          delimiter = null;
        }
      } else if (raw.startsWith('"""', pos) || raw.startsWith("'''", pos)) {
        delimiter = raw.slice(pos, pos + 3);
        step = 3;
      } else if (ch === '"' || ch === "'") delimiter = ch;
      else if (ch === "#") comment = true;
      text += raw.slice(pos, pos + step);
      pos += step;
    }
    multiline = delimiter !== null && delimiter.length === 3 ? delimiter : null;
    if (i < lines.length - 1) text += "\n";
    flush();
  }
  const open = stack.at(-1);
  if (open !== undefined)
    return err({ line: open.line, reason: "a `{% for %}` without its `{% endfor %}`" });
  return ok(assemble(root, lines.length));
}

/** The text of the tree, and for each of its lines the source line of its first character. */
function assemble(root: readonly Node[], lastLine: number): Rendered {
  const chunks: { text: string; line: number }[] = [];
  const walk = (nodes: readonly Node[], env: ReadonlyMap<string, number>): void => {
    for (const n of nodes) {
      if (n.kind === "text") chunks.push(n);
      else if (n.kind === "var") chunks.push({ text: String(env.get(n.name)), line: n.line });
      else for (const v of n.values) walk(n.body, new Map(env).set(n.name, v));
    }
  };
  walk(root, new Map());
  const sourceLine: number[] = [];
  let current: number | undefined;
  for (const { text, line } of chunks) {
    const parts = text.split("\n");
    parts.forEach((part, j) => {
      const ends = j < parts.length - 1;
      if (current === undefined && (part !== "" || ends)) current = line;
      if (ends) {
        sourceLine.push(current!);
        current = undefined;
      }
    });
  }
  sourceLine.push(current ?? lastLine);
  return { text: chunks.map((c) => c.text).join(""), sourceLine };
}
